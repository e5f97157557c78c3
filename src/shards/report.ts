/** What `soracom-sigfox fleet` prints: one progress line (stderr) and one summary (stdout). */
import type { FleetRunSummary, ShardProgress } from "./run";

/** `fleet up: 1/3 done | 1/3 ok 34/34 | 2/3 12/33 | 3/3 queued`. */
export function progressLine(operation: string, shards: readonly ShardProgress[]): string {
  const finished = shards.filter((s) => s.state === "succeeded" || s.state === "failed").length;
  const parts = shards.map((s) => {
    const devices = `${s.devicesDone}/${s.devicesTotal ?? "?"}`;
    switch (s.state) {
      case "queued":
        return `${s.shard} queued`;
      case "running":
        return `${s.shard} ${devices}`;
      case "succeeded":
        return `${s.shard} ok ${devices}`;
      case "failed":
        return `${s.shard} FAILED`;
    }
    const unknownState: never = s.state;
    return `${s.shard} ${String(unknownState)}`;
  });
  return `fleet ${operation}: ${finished}/${shards.length} shards done | ${parts.join(" | ")}`;
}

/** Throttles progress lines: state changes print at once, device counts at most every `intervalMs`. */
export function progressPrinter(operation: string, write: (line: string) => void, intervalMs = 2000) {
  let last = "";
  let lastStates = "";
  let lastAt = 0;
  return (shards: readonly ShardProgress[]): void => {
    const line = progressLine(operation, shards);
    const states = shards.map((s) => s.state).join();
    const now = Date.now();
    if (line === last || (states === lastStates && now - lastAt < intervalMs)) return;
    last = line;
    lastStates = states;
    lastAt = now;
    write(`${line}\n`);
  };
}

function formatChanges(changes: Record<string, number>): string {
  const parts = Object.entries(changes)
    .filter(([, n]) => n > 0)
    .map(([op, n]) => `${op} ${n}`);
  return parts.length > 0 ? parts.join(", ") : "-";
}

export function summaryText(summary: FleetRunSummary): string {
  const lines = [
    `fleet ${summary.operation}: ${summary.shards} shard${summary.shards === 1 ? "" : "s"}, ` +
      `${summary.succeeded} succeeded, ${summary.failed} failed ` +
      `(${summary.parallel} at a time, engine --parallel ${summary.engineParallel})`,
  ];
  const width = Math.max(...summary.results.map((r) => r.stack.length));
  for (const r of summary.results) {
    const devices = `${r.devicesDone}/${r.devicesTotal ?? "?"} devices`;
    if (r.state === "succeeded") lines.push(`  ${r.stack.padEnd(width)}  ${r.shard}  ok      ${devices}  ${formatChanges(r.changes)}`);
    else lines.push(`  ${r.stack.padEnd(width)}  ${r.shard}  FAILED  ${devices}  ${(r.error ?? "").split("\n").join("\n      ")}`);
  }
  return `${lines.join("\n")}\n`;
}
