/**
 * The provider's view of a device's state, pure: what the API manages (tags, group, termination flag),
 * what the provider records beside it, the outputs built from an API response, and the comparisons
 * `diff`, refresh and the convergence engine share. No I/O here.
 */
import type { ApiSigfoxDevice } from "../api/schemas";
import { toJsonObject, type JsonObject } from "./sanitize";

/** The value the engine puts in place of an input that is not known yet (during preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
export const isUnknown = (v: unknown): boolean => v === UNKNOWN;

/** The fields the API manages and `update` converges: compared by `diff`, reported as drift by refresh. */
export interface ManagedState {
  tags: Record<string, string>;
  groupId?: string;
  terminationEnabled: boolean;
}

/** The managed state of a device as the API returned it. */
export function managedOf(device: ApiSigfoxDevice): ManagedState {
  return {
    tags: { ...(device.tags ?? {}) },
    ...(device.groupId ? { groupId: device.groupId } : {}),
    terminationEnabled: device.terminationEnabled === true,
  };
}

/** Values the provider records but the API does not hold (the PAC is not one of them: never an output). */
export interface Recorded {
  deviceId: string;
  deleteImmediately: boolean;
}

/** Full outputs from a device response. Absent group/lastSeen/... → key omitted. */
export function outputsOf(device: ApiSigfoxDevice, recorded: Recorded): JsonObject {
  const lastSeen = device.lastSeen ? { time: device.lastSeen.time, rssi: device.lastSeen.rssi, snr: device.lastSeen.snr } : undefined;
  return toJsonObject({
    deviceId: recorded.deviceId,
    tags: device.tags ?? {},
    groupId: device.groupId ? device.groupId : undefined,
    terminationEnabled: device.terminationEnabled === true,
    deleteImmediately: recorded.deleteImmediately,
    status: device.status,
    operatorId: device.operatorId,
    lastModifiedTime: device.lastModifiedTime,
    lastSeen: lastSeen && Object.values(lastSeen).some((v) => v !== undefined) ? lastSeen : undefined,
  });
}

/**
 * Outputs carried over from the prior outputs with newly recorded values (no API call made). A PAC
 * in outputs written by an earlier version is dropped.
 */
export function outputsFromPrior(olds: Record<string, unknown>, recorded: Recorded): JsonObject {
  const prior = toJsonObject(olds);
  delete prior.__provider;
  delete prior.registrationSecret;
  return toJsonObject({ ...prior, ...recorded });
}

export function sameTags(prior: Record<string, string>, next: unknown): boolean {
  if (next === undefined || next === null) return Object.keys(prior).length === 0;
  if (isUnknown(next) || typeof next !== "object" || Array.isArray(next)) return false;
  const n = next as Record<string, unknown>;
  const keys = Object.keys(n);
  if (keys.length !== Object.keys(prior).length) return false;
  return keys.every((k) => Object.hasOwn(prior, k) && n[k] === prior[k]);
}

/** Group IDs are UUIDs: compared case-insensitively; absent, `null` and `""` all mean no group. */
export function sameGroup(a: unknown, b: unknown): boolean {
  if (isUnknown(a) || isUnknown(b)) return false;
  const norm = (v: unknown) => (typeof v === "string" && v !== "" ? v.toLowerCase() : undefined);
  return norm(a) === norm(b);
}

export function sameManaged(a: ManagedState, b: ManagedState): boolean {
  return sameTags(a.tags, b.tags) && sameGroup(a.groupId, b.groupId) && a.terminationEnabled === b.terminationEnabled;
}
