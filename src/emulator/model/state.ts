/**
 * The emulator's whole state as zod schemas: what the model holds, what the state file stores and what a
 * restart parses back. Times are UNIX milliseconds on the emulator clock; the wire mapping turns them
 * into ISO strings.
 */
import { z } from "zod";
import { SigfoxDeviceStatus } from "../../api/schemas";

export const AuthKey = z.object({ authKeyId: z.string().min(1), authKey: z.string().min(1) });
export const SamUser = z.object({ userName: z.string().min(1), password: z.string().min(1) });

export const Operator = z.object({
  operatorId: z.string().min(1),
  email: z.string().optional(),
  password: z.string().optional(),
  authKeys: z.array(AuthKey).default([]),
  users: z.array(SamUser).default([]),
});
export type Operator = z.infer<typeof Operator>;

/** An issued API key + token pair. Keyed by token in the state. */
export const IssuedToken = z.object({
  apiKey: z.string(),
  operatorId: z.string(),
  userName: z.string().optional(),
  issuedAt: z.number(),
  expiresAt: z.number(),
});
export type IssuedToken = z.infer<typeof IssuedToken>;

export const Group = z.object({
  groupId: z.string(),
  operatorId: z.string(),
  name: z.string().optional(),
});
export type Group = z.infer<typeof Group>;

/** A Harvest Data entry as stored; `content` is already the JSON string the API returns. */
export const StoredDataEntry = z.object({
  time: z.number().int(),
  content: z.string(),
});
export type StoredDataEntry = z.infer<typeof StoredDataEntry>;

/**
 * One Sigfox device known to the network. `ownerOperatorId: null` means it sits in the network registry
 * (registrable with its PAC); otherwise it is in that operator's account.
 */
export const DeviceRecord = z.object({
  deviceId: z.string(),
  pac: z.string(),
  ownerOperatorId: z.string().nullable(),
  status: SigfoxDeviceStatus,
  tags: z.record(z.string(), z.string()),
  groupId: z.string().nullable(),
  terminationEnabled: z.boolean(),
  lastModifiedTime: z.number(),
  lastSeen: z.object({ time: z.number(), rssi: z.number().int(), snr: z.number().int() }).nullable(),
  terminatedAt: z.number().nullable(),
  pendingDownlink: z.object({ data: z.string(), queuedAt: z.number() }).nullable(),
  seqNumber: z.number().int(),
  dataEntries: z.array(StoredDataEntry),
  /** Sent with the registration (2026 API revision); absent in state files written before it. */
  productCertificationId: z.string().optional(),
});
export type DeviceRecord = z.infer<typeof DeviceRecord>;

export const STATE_VERSION = 1;

export const EmulatorState = z.object({
  version: z.literal(STATE_VERSION),
  clockOffsetMs: z.number(),
  operators: z.record(z.string(), Operator),
  tokens: z.record(z.string(), IssuedToken),
  groups: z.record(z.string(), Group),
  /** Keyed by `deviceKey(deviceId)`. */
  devices: z.record(z.string(), DeviceRecord),
});
export type EmulatorState = z.infer<typeof EmulatorState>;

export function emptyState(): EmulatorState {
  return { version: STATE_VERSION, clockOffsetMs: 0, operators: {}, tokens: {}, groups: {}, devices: {} };
}

/**
 * Device IDs are hex numbers, so lookups ignore case ("1a2b" finds "1A2B"); they do not ignore leading
 * zeros ("01A2B" is another ID), because the API returns IDs as stored and we cannot justify a padding rule.
 */
export function deviceKey(deviceId: string): string {
  return deviceId.toUpperCase();
}
