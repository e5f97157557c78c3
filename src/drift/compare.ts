/**
 * The comparison: expected devices + the account snapshot + ignore rules in, the report out. Pure.
 *
 * A managed device is looked up in the listing, else in the confirming GETs: absent (404) or
 * `terminated` is missing; otherwise each managed field is compared. Unmanaged = listed, in scope
 * (every scope tag, not terminated) and in no compared stack / fleet file.
 */
import type { ApiSigfoxDevice } from "../api/schemas";
import { canonicalDeviceId } from "../fleet";
import { matchesSelection, type DeviceSelection } from "../selection";
import type { AccountSnapshot } from "./account";
import type { ExpectedDevice } from "./expected";
import type { IgnoreRules } from "./ignore";
import type { DriftField, DriftReport } from "./report";

export interface CompareInput {
  expected: ExpectedDevice[];
  account: AccountSnapshot;
  /** Which listed devices count for `unmanaged`. */
  scope: DeviceSelection;
  includeUnmanaged: boolean;
  ignore: IgnoreRules;
  durationMs: number;
}

/** The fields that differ, in a stable order: tags by name, then groupId, then terminationEnabled. */
export function driftedFields(expected: ExpectedDevice, actual: ApiSigfoxDevice): DriftField[] {
  const skip = new Set(expected.uncomparable ?? []);
  const fields: DriftField[] = [];
  if (!skip.has("tags")) {
    const live = actual.tags ?? {};
    const names = [...new Set([...Object.keys(expected.tags), ...Object.keys(live)])].sort();
    for (const name of names) {
      const want = expected.tags[name] ?? null;
      const have = live[name] ?? null;
      if (want !== have) fields.push({ path: `tags.${name}`, expected: want, actual: have });
    }
  }
  if (!skip.has("groupId")) {
    const want = expected.groupId ?? null;
    const have = actual.groupId !== undefined && actual.groupId !== "" ? actual.groupId : null;
    // Group IDs are UUIDs: case does not make another group.
    if (want?.toLowerCase() !== have?.toLowerCase()) fields.push({ path: "groupId", expected: want, actual: have });
  }
  if (!skip.has("terminationEnabled")) {
    const have = actual.terminationEnabled ?? false;
    if (expected.terminationEnabled !== have) fields.push({ path: "terminationEnabled", expected: expected.terminationEnabled, actual: have });
  }
  return fields;
}

const byDevice = <T extends { deviceId: string; stack?: string }>(a: T, b: T): number =>
  canonicalDeviceId(a.deviceId).localeCompare(canonicalDeviceId(b.deviceId)) || (a.stack ?? "").localeCompare(b.stack ?? "");

export function compareDrift(input: CompareInput): DriftReport {
  const { account, ignore } = input;
  let ignored = 0;
  let inSync = 0;
  const drifted: DriftReport["drifted"] = [];
  const missing: DriftReport["missing"] = [];
  const managed = new Set<string>();

  for (const expected of input.expected) {
    const id = canonicalDeviceId(expected.deviceId);
    managed.add(id);
    const live = account.listed.get(id) ?? account.confirmed.get(id);
    if (live === undefined || live.status === "terminated") {
      if (ignore.ignores(expected.deviceId)) ignored++;
      else missing.push({ deviceId: expected.deviceId, stack: expected.stack, reason: live === undefined ? "not_found" : "terminated" });
      continue;
    }
    const fields = driftedFields(expected, live).filter((f) => {
      const skip = ignore.ignores(expected.deviceId, f.path);
      if (skip) ignored++;
      return !skip;
    });
    if (fields.length > 0) drifted.push({ deviceId: expected.deviceId, stack: expected.stack, fields });
    else inSync++;
  }

  const unmanaged: DriftReport["unmanaged"] = [];
  if (input.includeUnmanaged) {
    for (const [id, device] of account.listed) {
      if (managed.has(id) || !matchesSelection(device, input.scope)) continue;
      if (ignore.ignores(device.device_id)) {
        ignored++;
        continue;
      }
      unmanaged.push({ deviceId: device.device_id, status: device.status ?? "unknown", groupId: device.groupId ?? null, tags: device.tags ?? {} });
    }
  }

  drifted.sort(byDevice);
  missing.sort(byDevice);
  unmanaged.sort(byDevice);
  return {
    version: 1,
    summary: { managed: input.expected.length, inSync, drifted: drifted.length, missing: missing.length, unmanaged: unmanaged.length, ignored },
    drifted,
    missing,
    unmanaged,
    apiCalls: { ...account.calls },
    durationMs: Math.round(input.durationMs),
  };
}
