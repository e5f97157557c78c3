/**
 * `GET /_emulator/state`: the whole state, for tests and debugging. It includes PACs (tests need the
 * fresh PAC of a deleted device) but not operators' auth keys, passwords or issued tokens.
 */
import { TERMINATED_RETENTION_MS } from "../model/devices";
import type { EmulatorRuntime } from "./runtime";

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

export interface StateDump {
  clock: { now: string; nowMs: number; offsetMs: number };
  defaultOperatorId: string;
  operators: { operatorId: string; email?: string; authKeyIds: string[]; userNames: string[]; activeTokens: number }[];
  groups: { groupId: string; operatorId: string; name?: string }[];
  devices: {
    deviceId: string;
    pac: string;
    ownerOperatorId: string | null;
    status: string;
    tags: Record<string, string>;
    groupId: string | null;
    terminationEnabled: boolean;
    lastModifiedTime: string;
    lastSeen: { time: string; rssi: number; snr: number } | null;
    terminatedAt: string | null;
    /** When a terminated device will be deleted. */
    deleteAt: string | null;
    pendingDownlink: { data: string; queuedAt: string } | null;
    seqNumber: number;
    dataEntries: { time: number; content: string }[];
    /** What the registration sent (2026 API revision); `null` when it sent none. */
    productCertificationId: string | null;
  }[];
  rateLimits: unknown;
  faults: unknown;
}

export function dumpState(rt: EmulatorRuntime): StateDump {
  const { model } = rt;
  const state = model.read((ctx) => ctx.state);
  const now = model.clock.now();
  return {
    clock: model.clock.snapshot(),
    defaultOperatorId: model.ctx.defaultOperatorId,
    operators: Object.values(state.operators).map((o) => ({
      operatorId: o.operatorId,
      ...(o.email !== undefined ? { email: o.email } : {}),
      authKeyIds: o.authKeys.map((k) => k.authKeyId),
      userNames: o.users.map((u) => u.userName),
      activeTokens: Object.values(state.tokens).filter((t) => t.operatorId === o.operatorId && t.expiresAt > now).length,
    })),
    groups: Object.values(state.groups),
    devices: Object.values(state.devices)
      .sort((a, b) => (a.deviceId.toUpperCase() < b.deviceId.toUpperCase() ? -1 : 1))
      .map((d) => ({
        deviceId: d.deviceId,
        pac: d.pac,
        ownerOperatorId: d.ownerOperatorId,
        status: d.status,
        tags: d.tags,
        groupId: d.groupId,
        terminationEnabled: d.terminationEnabled,
        lastModifiedTime: new Date(d.lastModifiedTime).toISOString(),
        lastSeen: d.lastSeen ? { time: new Date(d.lastSeen.time).toISOString(), rssi: d.lastSeen.rssi, snr: d.lastSeen.snr } : null,
        terminatedAt: iso(d.terminatedAt),
        deleteAt: d.terminatedAt !== null && d.status === "terminated" ? iso(d.terminatedAt + TERMINATED_RETENTION_MS) : null,
        pendingDownlink: d.pendingDownlink ? { data: d.pendingDownlink.data, queuedAt: new Date(d.pendingDownlink.queuedAt).toISOString() } : null,
        seqNumber: d.seqNumber,
        dataEntries: d.dataEntries,
        productCertificationId: d.productCertificationId ?? null,
      })),
    rateLimits: rt.rateLimiter.getConfig(),
    faults: rt.faults.list(),
  };
}
