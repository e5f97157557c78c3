/**
 * Out-of-band changes the control plane makes: seeding the network and accounts, the device's own radio
 * traffic (uplinks), drift (someone changed the device in the console) and disappearance.
 */
import { fail } from "../errors";
import type { DevicePatch, SeedRequest, UplinkRequest } from "../control/schemas";
import type { ModelContext } from "./context";
import { newPac } from "./ids";
import { releaseToNetwork } from "./devices";
import { deviceKey, type DeviceRecord, type StoredDataEntry } from "./state";

export interface SeedResult {
  operators: string[];
  groups: string[];
  devices: { deviceId: string; pac: string; ownerOperatorId: string | null; status: string }[];
}

function ensureGroup(ctx: ModelContext, groupId: string, operatorId: string): void {
  const key = groupId.toLowerCase();
  if (!ctx.state.groups[key]) ctx.state.groups[key] = { groupId, operatorId };
}

/** Adds operators, groups and devices. Existing entries with the same ID are replaced (operators: merged). */
export function seed(ctx: ModelContext, req: SeedRequest): SeedResult {
  const result: SeedResult = { operators: [], groups: [], devices: [] };
  for (const op of req.operators ?? []) {
    const existing = ctx.state.operators[op.operatorId];
    const merged = existing ?? { operatorId: op.operatorId, authKeys: [], users: [] };
    if (op.email !== undefined) merged.email = op.email;
    if (op.password !== undefined) merged.password = op.password;
    for (const k of op.authKeys ?? []) {
      merged.authKeys = merged.authKeys.filter((x) => x.authKeyId !== k.authKeyId).concat(k);
    }
    for (const u of op.users ?? []) {
      merged.users = merged.users.filter((x) => x.userName !== u.userName).concat(u);
    }
    ctx.state.operators[op.operatorId] = merged;
    result.operators.push(op.operatorId);
  }
  const knownOperator = (id: string) => {
    if (!ctx.state.operators[id]) fail("controlBadRequest", `unknown operator ${id}: seed it under "operators" first`);
  };
  for (const g of req.groups ?? []) {
    const operatorId = g.operatorId ?? ctx.defaultOperatorId;
    knownOperator(operatorId);
    ctx.state.groups[g.groupId.toLowerCase()] = { groupId: g.groupId, operatorId, ...(g.name !== undefined ? { name: g.name } : {}) };
    result.groups.push(g.groupId);
  }
  const now = ctx.clock.now();
  for (const d of req.devices ?? []) {
    const owner = d.ownerOperatorId ?? null;
    if (owner !== null) knownOperator(owner);
    // A device in the network registry has no account state: status/tags/group only make sense with an owner.
    const status = owner === null ? "instock" : (d.status ?? "ready");
    if (d.groupId !== undefined && owner !== null) ensureGroup(ctx, d.groupId, owner);
    const record: DeviceRecord = {
      deviceId: d.deviceId,
      pac: (d.pac ?? newPac()).toUpperCase(),
      ownerOperatorId: owner,
      status,
      tags: owner === null ? {} : { ...(d.tags ?? {}) },
      groupId: owner === null ? null : (d.groupId ?? null),
      terminationEnabled: owner === null ? false : (d.terminationEnabled ?? false),
      lastModifiedTime: now,
      lastSeen: null,
      terminatedAt: status === "terminated" ? now : null,
      pendingDownlink: null,
      seqNumber: 0,
      dataEntries: [],
    };
    ctx.state.devices[deviceKey(d.deviceId)] = record;
    result.devices.push({ deviceId: record.deviceId, pac: record.pac, ownerOperatorId: owner, status });
  }
  return result;
}

function findAny(ctx: ModelContext, deviceId: string): DeviceRecord {
  const device = ctx.state.devices[deviceKey(deviceId)];
  if (!device) return fail("controlNotFound");
  return device;
}

/** Link quality as the Sigfox backend labels it, from RSSI (thresholds are the commonly published ones). */
function lqiFor(rssi: number): "Excellent" | "Good" | "Average" | "Limit" {
  if (rssi >= -110) return "Excellent";
  if (rssi >= -120) return "Good";
  if (rssi >= -130) return "Average";
  return "Limit";
}

export interface UplinkResult {
  device: DeviceRecord;
  entry: StoredDataEntry;
  /** The pending downlink the device received with this uplink, if any. */
  deliveredDownlink: string | null;
}

/** The device sends a message: a Harvest entry, `lastSeen`, status `active`, and the pending downlink is delivered. */
export function uplink(ctx: ModelContext, deviceId: string, req: UplinkRequest): UplinkResult {
  const device = findAny(ctx, deviceId);
  if (device.ownerOperatorId === null || device.status === "instock") {
    return fail("controlConflict", "the device is not registered to any operator: nobody receives its messages");
  }
  if (device.status === "terminated") return fail("controlConflict", "the device is terminated");
  const rssi = req.rssi ?? -110;
  const snr = req.snr ?? 12;
  const seqNumber = req.seqNumber ?? device.seqNumber;
  device.seqNumber = (seqNumber + 1) % 4096; // Sigfox sequence numbers are 12-bit
  // Entries of one device get strictly increasing times so the time cursor stays unambiguous. A second
  // uplink within one millisecond is stamped ahead of the clock, so the clock moves up to the stamp:
  // otherwise a read "up to now" (the clock) would miss the newest entries, which no real network has.
  const lastTime = device.dataEntries.reduce((m, e) => Math.max(m, e.time), 0);
  const time = Math.max(ctx.clock.now(), lastTime + 1);
  ctx.clock.advanceTo(time);
  const data = (req.data ?? seqNumber.toString(16).padStart(4, "0").padEnd(16, "0")).toLowerCase();
  const content = JSON.stringify({
    device: device.deviceId,
    time: String(Math.floor(time / 1000)),
    data,
    seqNumber,
    lqi: req.lqi ?? lqiFor(rssi),
    operatorName: "SIGFOX_Japan_KCCS",
    countryCode: "392",
  });
  const entry = { time, content };
  device.dataEntries.push(entry);
  device.lastSeen = { time, rssi, snr };
  device.status = "active";
  const deliveredDownlink = device.pendingDownlink?.data ?? null;
  device.pendingDownlink = null;
  device.lastModifiedTime = ctx.clock.now();
  return { device, entry, deliveredDownlink };
}

/** Drift: a change made outside this API (console, another tool). Groups named here are created on the fly. */
export function patchDevice(ctx: ModelContext, deviceId: string, patch: DevicePatch): DeviceRecord {
  const device = findAny(ctx, deviceId);
  if (device.ownerOperatorId === null) return fail("controlConflict", "the device is not in any operator's account");
  if (patch.tags !== undefined) device.tags = { ...patch.tags };
  if (patch.groupId === null) device.groupId = null;
  else if (patch.groupId !== undefined) {
    ensureGroup(ctx, patch.groupId, device.ownerOperatorId);
    device.groupId = patch.groupId;
  }
  if (patch.terminationEnabled !== undefined) device.terminationEnabled = patch.terminationEnabled;
  if (patch.status !== undefined && patch.status !== device.status) {
    device.status = patch.status;
    device.terminatedAt = patch.status === "terminated" ? ctx.clock.now() : null;
  }
  device.lastModifiedTime = ctx.clock.now();
  return device;
}

/**
 * The device disappears from its account out of band. By default it returns to the network registry
 * with its PAC unchanged, so code that "recreates" it with the PAC it knows can succeed; `forget` removes
 * it from the network altogether.
 */
export function removeDevice(ctx: ModelContext, deviceId: string, forget: boolean): { deviceId: string; pac: string | null } {
  const device = findAny(ctx, deviceId);
  if (forget) {
    delete ctx.state.devices[deviceKey(deviceId)];
    return { deviceId: device.deviceId, pac: null };
  }
  const pac = device.pac;
  releaseToNetwork(ctx, device);
  device.pac = pac;
  return { deviceId: device.deviceId, pac };
}
