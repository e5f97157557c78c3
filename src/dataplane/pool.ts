/**
 * Runs `work` for each item with at most `concurrency` items in progress. The client's process-wide
 * rate limiter still caps the HTTP requests in flight; this caps how many devices are open at once
 * (and so how many devices' rows are held in memory). Stops taking new items once `signal` fires.
 */
export async function forEachBounded<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>, signal?: AbortSignal): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && signal?.aborted !== true) {
      const item = items[next++]!;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
}
