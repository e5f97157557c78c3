/**
 * Listed devices in, a fleet definition out: what `soracom-sigfox import` writes. Pure (no I/O).
 *
 * The definition declares every device exactly as the API reports it, adopt-only
 * (`defaults.adoptOnly: true`), so the first `pulumi up` adopts them all and changes nothing:
 *
 * - devices sorted by ID (numerically: `2C` before `1A2B3C01`);
 * - a value held by more than half of the devices goes into `defaults` (a tag name/value pair, the
 *   group, the termination flag); each device states only how it differs: another value, `groupId:
 *   null` (no group), `name: null` (it lacks a default tag: the format's per-device tag removal);
 * - with a devices CSV, the CSV holds each device's full group and tags (a CSV cell cannot remove a
 *   default), only the termination flag is factored, and devices the CSV cannot hold exactly (a flag
 *   other than the default, a tag with surrounding spaces or a line break) stay in the fleet file.
 *
 * `roundTripMismatches` checks what the loader makes of the result against the listed devices.
 */
import { stringify } from "yaml";
import type { ApiSigfoxDevice } from "../api/schemas";
import { canonicalDeviceId } from "./device-id";
import type { FleetDevice } from "./load";
import type { FleetDeviceEntry, FleetFile } from "./schema";

/** A listed device reduced to what a fleet declares. */
export interface DeclaredState {
  deviceId: string;
  tags: Record<string, string>;
  /** Absent: in no group. */
  groupId?: string;
  terminationEnabled: boolean;
}

export interface ImportedFleetText {
  /** The definition (as written in `yaml`). */
  definition: FleetFile;
  /** The fleet file's text. */
  yaml: string;
  /** The devices CSV's text, when asked for. */
  csv?: string;
  /** How many devices are in the CSV (the rest are in the fleet file). */
  csvDevices: number;
}

export interface FleetFromDevicesOptions {
  /** Path of the devices CSV as the fleet file must name it (relative to the fleet file); omitted = no CSV. */
  devicesCsvPath?: string;
  /** Comment lines put at the top of the fleet file (without `#`). */
  header?: string[];
}

/** The declared state of a listed device. */
export function declaredStateOf(device: ApiSigfoxDevice): DeclaredState {
  return {
    deviceId: device.device_id,
    tags: { ...(device.tags ?? {}) },
    ...(device.groupId ? { groupId: device.groupId } : {}),
    terminationEnabled: device.terminationEnabled === true,
  };
}

/** Orders device IDs as numbers (a Sigfox ID is a 32-bit hex number), then as written. */
export function compareDeviceIds(a: string, b: string): number {
  const key = (id: string) => canonicalDeviceId(id).padStart(8, "0");
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a < b ? -1 : a > b ? 1 : 0;
}

/** The value held by more than half of `values` (compared by `keyOf`), if any. */
function majority<T>(values: readonly T[], keyOf: (v: T) => string): T | undefined {
  const counts = new Map<string, { value: T; count: number }>();
  for (const v of values) {
    const k = keyOf(v);
    const entry = counts.get(k) ?? { value: v, count: 0 };
    entry.count++;
    counts.set(k, entry);
  }
  for (const { value, count } of counts.values()) if (count * 2 > values.length) return value;
  return undefined;
}

/** Tag name/value pairs held by more than half of the devices. */
function commonTags(devices: readonly DeclaredState[]): Record<string, string> {
  const counts = new Map<string, number>();
  for (const d of devices)
    for (const [name, value] of Object.entries(d.tags)) counts.set(JSON.stringify([name, value]), (counts.get(JSON.stringify([name, value])) ?? 0) + 1);
  const common: Record<string, string> = {};
  for (const [pair, count] of [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (count * 2 <= devices.length) continue;
    const [name, value] = JSON.parse(pair) as [string, string];
    common[name] = value;
  }
  return common;
}

const groupKey = (g: string | undefined) => (g === undefined ? "" : g.toLowerCase());

/** Whether a CSV row can hold the device's tags exactly (cells are trimmed; a line break ends a row). */
function csvCanHold(device: DeclaredState): boolean {
  const exact = (s: string) => s === s.trim() && !/[\r\n]/.test(s);
  return Object.entries(device.tags).every(([name, value]) => exact(name) && exact(value));
}

function csvCell(text: string): string {
  return /[",;\r\n#]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function sortedTags(tags: Record<string, string | null>): Record<string, string | null> {
  return Object.fromEntries(Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The fleet definition declaring `listed` exactly, adopt-only, factored into defaults; plus the
 * devices CSV when `options.devicesCsvPath` is given.
 */
export function fleetFromDevices(listed: readonly ApiSigfoxDevice[], options: FleetFromDevicesOptions = {}): ImportedFleetText {
  const devices = listed.map(declaredStateOf).sort((a, b) => compareDeviceIds(a.deviceId, b.deviceId));
  const withCsv = options.devicesCsvPath !== undefined;
  const termination =
    majority(
      devices.map((d) => d.terminationEnabled),
      String,
    ) ?? false;
  // A CSV cell cannot remove a default tag or group: with a CSV, the rows carry them in full.
  const group = withCsv
    ? undefined
    : majority(
        devices.map((d) => d.groupId),
        groupKey,
      );
  const tags = withCsv ? {} : commonTags(devices);

  const defaults: NonNullable<FleetFile["defaults"]> = {
    adoptOnly: true,
    terminationEnabled: termination,
    ...(group !== undefined ? { groupId: group } : {}),
    ...(Object.keys(tags).length > 0 ? { tags } : {}),
  };

  const inCsv = withCsv ? devices.filter((d) => d.terminationEnabled === termination && csvCanHold(d)) : [];
  const csvSet = new Set(inCsv);
  const inFile = withCsv ? devices.filter((d) => !csvSet.has(d)) : devices;
  const entries = inFile.map((d): FleetDeviceEntry => {
    const own: Record<string, string | null> = {};
    for (const [name, value] of Object.entries(tags)) if (d.tags[name] !== value) own[name] = d.tags[name] ?? null;
    for (const [name, value] of Object.entries(d.tags)) if (!Object.hasOwn(tags, name)) own[name] = value;
    const sameGroup = groupKey(d.groupId) === groupKey(group);
    return {
      deviceId: d.deviceId,
      ...(sameGroup ? {} : { groupId: d.groupId ?? null }),
      ...(d.terminationEnabled === termination ? {} : { terminationEnabled: d.terminationEnabled }),
      ...(Object.keys(own).length > 0 ? { tags: sortedTags(own) } : {}),
    };
  });

  const definition: FleetFile = {
    version: 1,
    defaults,
    ...(withCsv ? { devicesCsv: options.devicesCsvPath } : {}),
    ...(entries.length > 0 || !withCsv ? { devices: entries } : {}),
  };
  const header = (options.header ?? []).map((line) => `# ${line}`.trimEnd()).join("\n");
  const yaml = `${header === "" ? "" : `${header}\n`}${stringify(definition, { lineWidth: 0 })}`;
  return { definition, yaml, ...(withCsv ? { csv: devicesCsv(inCsv) } : {}), csvDevices: inCsv.length };
}

/** `device_id,group_id,tag:<name>...`, one row per device; an empty cell is "not given". */
function devicesCsv(devices: readonly DeclaredState[]): string {
  const tagNames = [...new Set(devices.flatMap((d) => Object.keys(d.tags)))].sort();
  const rows = [["device_id", "group_id", ...tagNames.map((n) => `tag:${n}`)]];
  for (const d of devices) rows.push([d.deviceId, d.groupId ?? "", ...tagNames.map((n) => d.tags[n] ?? "")]);
  return `${rows.map((row) => row.map(csvCell).join(",")).join("\n")}\n`;
}

/**
 * Differences between what a loaded fleet declares and the listed devices' state (empty = the
 * fleet declares exactly those devices, as they are, all adopt-only).
 */
export function roundTripMismatches(listed: readonly ApiSigfoxDevice[], loaded: readonly FleetDevice[]): string[] {
  const problems: string[] = [];
  const byId = new Map(loaded.map((d) => [d.deviceId, d]));
  for (const state of listed.map(declaredStateOf)) {
    const d = byId.get(state.deviceId);
    if (d === undefined) {
      problems.push(`device ${state.deviceId} is missing`);
      continue;
    }
    byId.delete(state.deviceId);
    const same = (a: Record<string, string>, b: Record<string, string>) => JSON.stringify(sortedTags(a)) === JSON.stringify(sortedTags(b));
    if (!same(d.tags, state.tags)) problems.push(`device ${state.deviceId}: tags differ`);
    if (groupKey(d.groupId) !== groupKey(state.groupId)) problems.push(`device ${state.deviceId}: group differs`);
    if ((d.terminationEnabled ?? false) !== state.terminationEnabled) problems.push(`device ${state.deviceId}: terminationEnabled differs`);
    if (!d.adoptOnly) problems.push(`device ${state.deviceId} is not adopt-only`);
  }
  for (const id of byId.keys()) problems.push(`device ${id} was not listed`);
  return problems;
}
