/**
 * Thin request/response mapping: wire names and formats in, model records out, and back. No rules here.
 * The wire field names are exactly the real API's: `device_id` in snake case, everything else camel case.
 */
import { DATA_SORT_ORDERS, TAG_VALUE_MATCH_MODES, type DataEntry, type SigfoxDevice } from "../../api/schemas";
import { fail } from "../errors";
import { DEFAULT_DATA_LIMIT, MAX_DATA_LIMIT, type DataQuery, type ListQuery } from "../model/devices";
import type { DeviceRecord, StoredDataEntry } from "../model/state";

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * `groupId` and `lastSeen` are omitted while unset (undocumented: the real API may send `null` or omit
 * them; omitting is what the shared response schema accepts).
 */
export function toWireDevice(d: DeviceRecord): SigfoxDevice {
  const wire: SigfoxDevice = {
    device_id: d.deviceId,
    operatorId: d.ownerOperatorId ?? undefined,
    status: d.status,
    tags: { ...d.tags },
    terminationEnabled: d.terminationEnabled,
    lastModifiedTime: iso(d.lastModifiedTime),
  };
  if (d.groupId !== null) wire.groupId = d.groupId;
  if (d.lastSeen !== null) wire.lastSeen = { time: iso(d.lastSeen.time), rssi: d.lastSeen.rssi, snr: d.lastSeen.snr };
  return wire;
}

export function toWireDataEntry(deviceId: string, e: StoredDataEntry): DataEntry {
  return {
    time: e.time,
    content: e.content,
    contentType: "application/json",
    resourceId: deviceId,
    resourceType: "SigfoxDevice",
  };
}

function intParam(url: URL, name: string): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === "") return undefined;
  if (!/^-?\d+$/.test(raw)) return fail("invalidQuery", `${name} must be an integer`);
  return Number(raw);
}

function enumParam<T extends string>(url: URL, name: string, values: readonly T[], fallback: T): T {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === "") return fallback;
  if (!(values as readonly string[]).includes(raw)) return fail("invalidQuery", `${name} must be one of ${values.join(", ")}`);
  return raw as T;
}

export function parseListQuery(url: URL): ListQuery {
  const q: ListQuery = { tagValueMatchMode: enumParam(url, "tag_value_match_mode", TAG_VALUE_MATCH_MODES, "exact") };
  const tagName = url.searchParams.get("tag_name");
  const tagValue = url.searchParams.get("tag_value");
  // The spec: tag_value is required with tag_name. Undocumented: tag_value without tag_name is ignored.
  if (tagName !== null && tagName !== "") {
    if (tagValue === null) return fail("invalidQuery", "tag_value is required when tag_name is specified");
    q.tagName = tagName;
    q.tagValue = tagValue;
  }
  const limit = intParam(url, "limit");
  if (limit !== undefined) {
    if (limit < 1) return fail("invalidQuery", "limit must be a positive integer");
    q.limit = limit;
  }
  const key = url.searchParams.get("last_evaluated_key");
  if (key !== null && key !== "") q.lastEvaluatedKey = key;
  return q;
}

export function parseDataQuery(url: URL): DataQuery {
  const q: DataQuery = { sort: enumParam(url, "sort", DATA_SORT_ORDERS, "desc"), limit: DEFAULT_DATA_LIMIT };
  const from = intParam(url, "from");
  const to = intParam(url, "to");
  if (from !== undefined) q.from = from;
  if (to !== undefined) q.to = to;
  const limit = intParam(url, "limit");
  if (limit !== undefined) {
    if (limit < 1 || limit > MAX_DATA_LIMIT) return fail("invalidQuery", `limit must be between 1 and ${MAX_DATA_LIMIT}`);
    q.limit = limit;
  }
  const key = intParam(url, "last_evaluated_key");
  if (key !== undefined) q.lastEvaluatedKey = key;
  return q;
}

/**
 * Pagination headers of a non-last page: both forms the real API uses. The `link` URL is relative and
 * keeps the request's other query parameters, so following it repeats the same filter.
 */
export function nextPageHeaders(url: URL, nextKey: string | undefined): Record<string, string> {
  if (nextKey === undefined) return {};
  const params = new URLSearchParams(url.searchParams);
  params.set("last_evaluated_key", nextKey);
  return {
    "x-soracom-next-key": nextKey,
    // URLSearchParams writes spaces as "+"; "%20" reads the same to every URL parser, "+" does not.
    link: `<${url.pathname}?${params.toString().replace(/\+/g, "%20")}>; rel=next`,
  };
}
