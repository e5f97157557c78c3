/**
 * Bodies of the control plane (`/_emulator/...`), as zod schemas. The same seed shape is accepted by
 * `startEmulator({seed})`, by seed files (YAML or JSON) and by `POST /_emulator/seed`.
 */
import { z } from "zod";
import { SigfoxDeviceStatus, SIGFOX_OPERATIONS } from "../../api/schemas";
import { DEVICE_ID_PATTERN, PAC_PATTERN } from "../../api/formats";
import { AuthKey, SamUser } from "../model/state";

export const SeedOperator = z.object({
  operatorId: z.string().min(1),
  email: z.string().optional(),
  password: z.string().optional(),
  authKeys: z.array(AuthKey).optional(),
  users: z.array(SamUser).optional(),
});
export type SeedOperator = z.infer<typeof SeedOperator>;

export const SeedDevice = z.object({
  deviceId: z.string().regex(DEVICE_ID_PATTERN, "deviceId must be 1 to 8 hexadecimal digits"),
  /** The device's PAC. Generated when omitted (read it back from `GET /_emulator/state`). */
  pac: z.string().regex(PAC_PATTERN, "pac must be 16 hexadecimal characters").optional(),
  /** Put the device straight into this operator's account; omitted = network registry only. */
  ownerOperatorId: z.string().min(1).optional(),
  status: SigfoxDeviceStatus.optional(),
  tags: z.record(z.string(), z.string()).optional(),
  groupId: z.string().optional(),
  terminationEnabled: z.boolean().optional(),
});
export type SeedDevice = z.infer<typeof SeedDevice>;

export const SeedGroup = z.object({
  groupId: z.string().min(1),
  /** Defaults to the default operator. */
  operatorId: z.string().min(1).optional(),
  name: z.string().optional(),
});
export type SeedGroup = z.infer<typeof SeedGroup>;

export const SeedRequest = z.object({
  operators: z.array(SeedOperator).optional(),
  devices: z.array(SeedDevice).optional(),
  groups: z.array(SeedGroup).optional(),
});
export type SeedRequest = z.infer<typeof SeedRequest>;

export const ClockAdvanceRequest = z.object({ seconds: z.number().nonnegative() });
export type ClockAdvanceRequest = z.infer<typeof ClockAdvanceRequest>;

/** An uplink message from the device. `data` is 0 to 12 bytes of hex (Sigfox's uplink payload size). */
export const UplinkRequest = z.object({
  data: z
    .string()
    .regex(/^(?:[0-9A-Fa-f]{2}){0,12}$/, "data must be 0 to 12 bytes as hexadecimal")
    .optional(),
  rssi: z.number().int().optional(),
  snr: z.number().int().optional(),
  seqNumber: z.number().int().min(0).optional(),
  lqi: z.enum(["Excellent", "Good", "Average", "Limit"]).optional(),
});
export type UplinkRequest = z.infer<typeof UplinkRequest>;

export const DevicePatch = z.object({
  /** Replaces the whole tag map. */
  tags: z.record(z.string(), z.string()).optional(),
  /** `null` unsets the group. */
  groupId: z.string().nullable().optional(),
  terminationEnabled: z.boolean().optional(),
  status: SigfoxDeviceStatus.optional(),
});
export type DevicePatch = z.infer<typeof DevicePatch>;

export const FAULT_OPERATIONS = [...SIGFOX_OPERATIONS, "auth", "*"] as const;
export const FaultRequest = z
  .object({
    /** An operationId, `auth`, or `*` for every API operation. */
    operation: z.enum(FAULT_OPERATIONS),
    /** Answer with this status (429 or 5xx; any 4xx/5xx is accepted) and a `{code, message}` body, without touching state. */
    status: z.number().int().min(400).max(599).optional(),
    /** Delay before the request is handled (real milliseconds, not the emulator clock). */
    latencyMs: z.number().int().min(0).max(600_000).optional(),
    /** Destroy the socket without a response, before or after the change is committed. */
    drop: z.enum(["before", "after"]).optional(),
    /** Apply to the next N matching calls. Default 1 unless `probability` is given (then unlimited). */
    count: z.number().int().min(1).optional(),
    /** Apply to this fraction of matching calls (0..1). */
    probability: z.number().min(0).max(1).optional(),
    /** Seed of this fault's own random draws (with `probability`): the same calls in the same order get the same faults. */
    seed: z.number().int().optional(),
  })
  .refine((f) => f.status !== undefined || f.latencyMs !== undefined || f.drop !== undefined, {
    message: "a fault needs at least one of status, latencyMs, drop",
  });
export type FaultRequest = z.infer<typeof FaultRequest>;

export const RateLimitConfig = z.object({
  enabled: z.boolean(),
  /** Requests per minute per operator and operation (auth: per source IP). Default 1000. */
  limitPerMinute: z.number().int().min(1).optional(),
  /** Overrides by operationId (or `auth`). */
  perOperation: z.record(z.string(), z.number().int().min(1)).optional(),
});
export type RateLimitConfig = z.infer<typeof RateLimitConfig>;
