/**
 * Rules of the 12 Sigfox operations, on the model's state. Functions take plain data and return
 * `DeviceRecord`s (or pages of them); the HTTP layer maps those to the wire. Every rule the real API does
 * not document is marked "Undocumented:" and listed in docs/emulator.md.
 */
import { DOWNLINK_DATA_PATTERN, GROUP_ID_PATTERN, PAC_PATTERN } from "../../api/formats";
import type { TagUpdateRequest } from "../../api/schemas";
import { TOO_MANY_TAGS_MESSAGE, withinTagCount } from "../../api/values";
import { fail } from "../errors";
import type { ModelContext } from "./context";
import { newPac } from "./ids";
import { deviceKey, type DeviceRecord, type StoredDataEntry } from "./state";

/** Terminated devices stay visible this long, then are deleted (soracom-api.md). */
export const TERMINATED_RETENTION_MS = 24 * 60 * 60 * 1000;
/** Undocumented: the server's maximum page size for the device list; a larger `limit` is capped. */
export const MAX_DEVICE_PAGE_SIZE = 100;
export const DEFAULT_DATA_LIMIT = 10;
export const MAX_DATA_LIMIT = 1000;

export interface Page<T> {
  items: T[];
  /** Present only when more items follow. */
  nextKey?: string;
}

/** Finds a device in the operator's account. Other operators' devices are invisible (404), like the real multi-tenant API. */
export function findOwnedDevice(ctx: ModelContext, operatorId: string, deviceId: string): DeviceRecord {
  const device = ctx.state.devices[deviceKey(deviceId)];
  if (!device || device.ownerOperatorId !== operatorId) return fail("deviceNotFound");
  return device;
}

/** A device the caller wants to change: owned and not terminated. */
function findMutableDevice(ctx: ModelContext, operatorId: string, deviceId: string): DeviceRecord {
  const device = findOwnedDevice(ctx, operatorId, deviceId);
  // Undocumented: changes to a terminated device (still visible for 24 h) are refused with 409.
  if (device.status === "terminated") return fail("deviceTerminated");
  return device;
}

function touch(ctx: ModelContext, device: DeviceRecord): DeviceRecord {
  device.lastModifiedTime = ctx.clock.now();
  return device;
}

/** What an account holds about a device, back to Soracom's defaults: a device starts each registration fresh. */
function clearAccountState(device: DeviceRecord, tags: Record<string, string>): void {
  device.tags = tags;
  device.groupId = null;
  device.terminationEnabled = false;
  device.lastSeen = null;
  device.terminatedAt = null;
  device.pendingDownlink = null;
  device.dataEntries = [];
  delete device.productCertificationId;
}

/**
 * Returns a device to the network registry with a fresh PAC, as Sigfox does when a device leaves an
 * account: everything account-specific (tags, group, data, downlink) is gone.
 */
export function releaseToNetwork(ctx: ModelContext, device: DeviceRecord): string {
  device.pac = newPac();
  device.ownerOperatorId = null;
  device.status = "instock";
  clearAccountState(device, {});
  device.lastModifiedTime = ctx.clock.now();
  return device.pac;
}

/** Deletes terminated devices whose 24 hours have passed. Returns whether anything changed. */
export function sweepTerminated(ctx: ModelContext): boolean {
  const now = ctx.clock.now();
  let changed = false;
  for (const device of Object.values(ctx.state.devices)) {
    if (device.status === "terminated" && device.ownerOperatorId !== null && device.terminatedAt !== null) {
      if (device.terminatedAt + TERMINATED_RETENTION_MS <= now) {
        releaseToNetwork(ctx, device);
        changed = true;
      }
    }
  }
  return changed;
}

// --- list -----------------------------------------------------------------------------------------

export interface ListQuery {
  tagName?: string;
  tagValue?: string;
  tagValueMatchMode: "exact" | "prefix";
  limit?: number;
  lastEvaluatedKey?: string;
}

export function listDevices(ctx: ModelContext, operatorId: string, query: ListQuery): Page<DeviceRecord> {
  const matchesTag = (d: DeviceRecord): boolean => {
    if (query.tagName === undefined) return true;
    const value = d.tags[query.tagName];
    if (value === undefined) return false;
    return query.tagValueMatchMode === "prefix" ? value.startsWith(query.tagValue ?? "") : value === query.tagValue;
  };
  const after = query.lastEvaluatedKey !== undefined ? deviceKey(query.lastEvaluatedKey) : undefined;
  // Stable order: by device ID (case-insensitive, the same key lookups use), so cursors never skip or repeat.
  const all = Object.entries(ctx.state.devices)
    .filter(([, d]) => d.ownerOperatorId === operatorId && matchesTag(d))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .filter(([key]) => after === undefined || key > after)
    .map(([, d]) => d);
  const limit = Math.min(query.limit ?? MAX_DEVICE_PAGE_SIZE, MAX_DEVICE_PAGE_SIZE);
  const items = all.slice(0, limit);
  const last = items[items.length - 1];
  return all.length > limit && last ? { items, nextKey: last.deviceId } : { items };
}

// --- register -------------------------------------------------------------------------------------

export function registerDevice(
  ctx: ModelContext,
  operatorId: string,
  deviceId: string,
  body: { registrationSecret?: string | undefined; tags?: Record<string, string> | undefined; productCertificationId?: string | undefined },
): DeviceRecord {
  // Documented: `400 PAC code is missing` — checked before anything else, as request validation.
  // (Tag names and values were checked with the body, against the shared rules of src/api/values.ts.)
  if (body.registrationSecret === undefined || body.registrationSecret === "") return fail("pacMissing");
  const device = ctx.state.devices[deviceKey(deviceId)];
  if (!device) return fail("deviceNotFound");
  if (device.ownerOperatorId !== null && device.ownerOperatorId !== operatorId) return fail("ownedByAnotherOperator");
  if (device.ownerOperatorId === operatorId) {
    if (device.status === "terminated") return fail("deviceTerminated");
    // An `instock` device of the operator's own stock is registered with its PAC like a network one.
    if (device.status !== "instock") return fail("alreadyRegistered");
  }
  // PACs are hex: compare case-insensitively.
  if (!PAC_PATTERN.test(body.registrationSecret) || body.registrationSecret.toUpperCase() !== device.pac.toUpperCase()) {
    return fail("pacInvalid");
  }
  device.ownerOperatorId = operatorId;
  device.status = "ready";
  clearAccountState(device, { ...(body.tags ?? {}) });
  // 2026 revision: kept with the registration; not part of the device resource the spec returns.
  if (body.productCertificationId !== undefined) device.productCertificationId = body.productCertificationId;
  else delete device.productCertificationId;
  return touch(ctx, device);
}

// --- tags -----------------------------------------------------------------------------------------

export function putTags(ctx: ModelContext, operatorId: string, deviceId: string, tags: TagUpdateRequest[]): DeviceRecord {
  const device = findMutableDevice(ctx, operatorId, deviceId);
  // Names and values were checked with the body (src/api/values.ts); the count needs the device's tags.
  const merged = { ...device.tags };
  for (const { tagName, tagValue } of tags) merged[tagName] = tagValue;
  if (!withinTagCount(merged)) return fail("badRequest", `${TOO_MANY_TAGS_MESSAGE}; this change would give it ${Object.keys(merged).length}`);
  device.tags = merged;
  return touch(ctx, device);
}

export function deleteTag(ctx: ModelContext, operatorId: string, deviceId: string, tagName: string): void {
  const device = findMutableDevice(ctx, operatorId, deviceId);
  if (!Object.hasOwn(device.tags, tagName)) return fail("tagNotFound");
  delete device.tags[tagName];
  touch(ctx, device);
}

// --- group ----------------------------------------------------------------------------------------

export function setGroup(ctx: ModelContext, operatorId: string, deviceId: string, groupId: string | undefined): DeviceRecord {
  if (groupId === undefined || !GROUP_ID_PATTERN.test(groupId)) return fail("invalidGroupId");
  const device = findMutableDevice(ctx, operatorId, deviceId);
  // Undocumented: the group must exist in the operator's account (seed groups via the control plane).
  const group = ctx.state.groups[groupId.toLowerCase()];
  if (!group || group.operatorId !== operatorId) return fail("groupNotFound");
  device.groupId = group.groupId;
  return touch(ctx, device);
}

export function unsetGroup(ctx: ModelContext, operatorId: string, deviceId: string): DeviceRecord {
  const device = findMutableDevice(ctx, operatorId, deviceId);
  // Undocumented: unsetting when no group is set succeeds (idempotent).
  device.groupId = null;
  return touch(ctx, device);
}

// --- termination ----------------------------------------------------------------------------------

export function setTerminationEnabled(ctx: ModelContext, operatorId: string, deviceId: string, enabled: boolean): DeviceRecord {
  const device = findMutableDevice(ctx, operatorId, deviceId);
  device.terminationEnabled = enabled;
  return touch(ctx, device);
}

export interface TerminateResult {
  device: DeviceRecord;
  /** Only with `delete_immediately`: the device's new PAC, which the operator needs to register it again. */
  newPac?: string;
}

export function terminateDevice(ctx: ModelContext, operatorId: string, deviceId: string, deleteImmediately: boolean): TerminateResult {
  const device = findOwnedDevice(ctx, operatorId, deviceId);
  if (device.status === "terminated") {
    // Undocumented: a terminated device can still be deleted at once; terminating it again is a conflict.
    if (!deleteImmediately) return fail("deviceTerminated");
  } else if (!device.terminationEnabled) {
    return fail("terminationDisabled");
  }
  device.status = "terminated";
  device.terminatedAt = ctx.clock.now();
  device.pendingDownlink = null;
  touch(ctx, device);
  if (!deleteImmediately) return { device };
  // The response shows the device as it was terminated; the record itself goes back to the network.
  const view: DeviceRecord = structuredClone(device);
  const pac = releaseToNetwork(ctx, device);
  return { device: view, newPac: pac };
}

// --- downlink -------------------------------------------------------------------------------------

export function queueDownlink(ctx: ModelContext, operatorId: string, deviceId: string, data: string | undefined): void {
  if (data === undefined || !DOWNLINK_DATA_PATTERN.test(data)) return fail("invalidDownlinkData");
  const device = findMutableDevice(ctx, operatorId, deviceId);
  // A newer message replaces a pending one (documented). Undocumented: queuing does not change lastModifiedTime.
  device.pendingDownlink = { data: data.toLowerCase(), queuedAt: ctx.clock.now() };
}

// --- Harvest data ---------------------------------------------------------------------------------

export interface DataQuery {
  from?: number;
  to?: number;
  sort: "desc" | "asc";
  limit: number;
  lastEvaluatedKey?: number;
}

export function getData(ctx: ModelContext, operatorId: string, deviceId: string, query: DataQuery): Page<StoredDataEntry> & { device: DeviceRecord } {
  const device = findOwnedDevice(ctx, operatorId, deviceId);
  const asc = query.sort === "asc";
  // `from` and `to` are both inclusive (undocumented). The cursor is exclusive: the entry it names was on the previous page.
  const all = device.dataEntries
    .filter((e) => (query.from === undefined || e.time >= query.from) && (query.to === undefined || e.time <= query.to))
    .filter((e) => query.lastEvaluatedKey === undefined || (asc ? e.time > query.lastEvaluatedKey : e.time < query.lastEvaluatedKey))
    .sort((a, b) => (asc ? a.time - b.time : b.time - a.time));
  const items = all.slice(0, query.limit);
  const last = items[items.length - 1];
  return all.length > query.limit && last ? { device, items, nextKey: String(last.time) } : { device, items };
}
