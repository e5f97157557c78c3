/**
 * Pagination: the next-page cursor comes in `x-soracom-next-key: <key>` and/or
 * `link: </v1/...?last_evaluated_key=<key>>; rel=next`; no header means the last page.
 */
import { SoracomApiError } from "./errors";

/** One page of a list operation. `nextKey` is absent on the last page. */
export interface Page<T> {
  items: T[];
  nextKey?: string;
}

/**
 * The `last_evaluated_key` of the `rel=next` link in a `Link` header value (RFC 8288; relative URLs,
 * quoted or unquoted `rel`, several links separated by commas). Undefined when there is none.
 */
export function nextKeyFromLink(link: string | undefined): string | undefined {
  if (!link) return undefined;
  const re = /<([^>]*)>((?:\s*;\s*[^,;]+)*)/g;
  for (const m of link.matchAll(re)) {
    const params = m[2] ?? "";
    const rel = /;\s*rel\s*=\s*"?([^";]+)"?/i.exec(params)?.[1];
    if (!rel?.trim().split(/\s+/).some((r) => r.toLowerCase() === "next")) continue;
    try {
      const key = new URL(m[1] ?? "", "http://relative.invalid").searchParams.get("last_evaluated_key");
      if (key !== null && key !== "") return key;
    } catch {
      // malformed URL: no cursor
    }
  }
  return undefined;
}

/** The next-page cursor of a response: `x-soracom-next-key` first, else the `link` header. */
export function nextKeyFromHeaders(headers: Record<string, string | string[] | undefined>): string | undefined {
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(", ") : v);
  const direct = first(headers["x-soracom-next-key"])?.trim();
  if (direct) return direct;
  return nextKeyFromLink(first(headers.link));
}

/**
 * Iterates every item of every page: `fetchPage(cursor)` is called with `undefined` first, then with
 * each page's `nextKey` until a page has none. Throws a `response_validation` error when the server
 * returns a cursor it returned before (a loop that would never end).
 */
export async function* paginate<T>(
  operation: "listSigfoxDevices" | "getDataFromSigfoxDevice",
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
  firstCursor?: string,
): AsyncGenerator<T, void, undefined> {
  const seen = new Set<string>();
  if (firstCursor !== undefined) seen.add(firstCursor);
  let cursor = firstCursor;
  for (;;) {
    const page = await fetchPage(cursor);
    for (const item of page.items) yield item;
    if (page.nextKey === undefined) return;
    if (seen.has(page.nextKey)) {
      throw new SoracomApiError({
        code: "response_validation",
        operation,
        message: `${operation}: the server returned the pagination cursor ${JSON.stringify(page.nextKey)} twice; stopping to avoid an endless loop`,
      });
    }
    seen.add(page.nextKey);
    cursor = page.nextKey;
  }
}

/** Collects every item of an async iterable into an array. */
export async function collectAll<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}
