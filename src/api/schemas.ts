/**
 * Wire schemas of the Soracom Air for Sigfox API, written from
 * `shared/api/soracom-sigfox-openapi.yaml` (plus `POST /auth` from Soracom's auth API).
 *
 * These are the single source of the wire types: the client parses every response with them and the
 * emulator parses every request body with them. `test/unit/spec-drift.test.ts` fails when a field name
 * or an enum here drifts from the spec file.
 *
 * Response schemas are deliberately lenient about *extra* fields (the real API adds fields over time)
 * but strict about the types of the fields we rely on.
 */
import { z } from "zod";
import { MAX_TAGS_PER_DEVICE, ProductCertificationIdValue, TagMapValue, TagNameValue, TagValueValue, TOO_MANY_TAGS_MESSAGE } from "./values";

/** Device statuses, in lifecycle order. */
export const SIGFOX_DEVICE_STATUSES = ["active", "ready", "terminated", "instock"] as const;
export const SigfoxDeviceStatus = z.enum(SIGFOX_DEVICE_STATUSES);
export type SigfoxDeviceStatus = z.infer<typeof SigfoxDeviceStatus>;

export const TagMap = z.record(z.string(), z.string());
export type TagMap = z.infer<typeof TagMap>;

export const LastSeen = z.looseObject({
  time: z.string().optional(),
  rssi: z.number().int().optional(),
  snr: z.number().int().optional(),
});
export type LastSeen = z.infer<typeof LastSeen>;

/** `SigfoxDevice`: note `device_id` in snake case, unlike every other field. */
export const SigfoxDevice = z.looseObject({
  device_id: z.string(),
  operatorId: z.string().optional(),
  status: SigfoxDeviceStatus.optional(),
  tags: TagMap.optional(),
  groupId: z.string().optional(),
  terminationEnabled: z.boolean().optional(),
  lastModifiedTime: z.string().optional(),
  lastSeen: LastSeen.optional(),
});
export type SigfoxDevice = z.infer<typeof SigfoxDevice>;

export const SigfoxDeviceList = z.array(SigfoxDevice);

/**
 * Body of `POST /sigfox_devices/{device_id}/register`: tags as a *map* here. Request schemas carry the
 * value rules of ./values.ts (the client refuses what the emulator would refuse); response schemas stay
 * lenient. `registrationSecret` stays a plain string: a missing or wrong PAC is the API's own 400.
 */
export const SigfoxRegistrationRequest = z.object({
  registrationSecret: z.string().optional(),
  tags: TagMapValue.optional(),
  /** The 2026 API revision accepts it (shared/docs/soracom-api.md); optional. */
  productCertificationId: ProductCertificationIdValue.optional(),
});
export type SigfoxRegistrationRequest = z.infer<typeof SigfoxRegistrationRequest>;

/** One element of the `PUT /sigfox_devices/{device_id}/tags` body (tags as a *list* here). */
export const TagUpdateRequest = z.object({
  tagName: TagNameValue,
  tagValue: TagValueValue,
});
export type TagUpdateRequest = z.infer<typeof TagUpdateRequest>;
export const TagUpdateRequestList = z.array(TagUpdateRequest).max(MAX_TAGS_PER_DEVICE, TOO_MANY_TAGS_MESSAGE);

export const SetGroupRequest = z.object({
  groupId: z.string().optional(),
});
export type SetGroupRequest = z.infer<typeof SetGroupRequest>;

/** Downlink payload: exactly 8 bytes as 16 hex characters. */
export const SigfoxData = z.object({
  data: z.string().optional(),
});
export type SigfoxData = z.infer<typeof SigfoxData>;

export const DATA_ENTRY_RESOURCE_TYPES = [
  "Subscriber",
  "LoraDevice",
  "Sim",
  "SigfoxDevice",
  "Device",
  "SoraCam",
] as const;

/** Harvest Data entry. For Sigfox, `content` is a JSON document as a string (not base64). */
export const DataEntry = z.looseObject({
  time: z.number().int().optional(),
  content: z.string().optional(),
  contentType: z.string().optional(),
  category: z.string().optional(),
  resourceId: z.string().optional(),
  resourceType: z.enum(DATA_ENTRY_RESOURCE_TYPES).optional(),
});
export type DataEntry = z.infer<typeof DataEntry>;
export const DataEntryList = z.array(DataEntry);

export const DATA_SORT_ORDERS = ["desc", "asc"] as const;
export const TAG_VALUE_MATCH_MODES = ["exact", "prefix"] as const;

/** `POST /auth` body: exactly one of the three credential forms. */
export const AuthRequest = z.object({
  authKeyId: z.string().optional(),
  authKey: z.string().optional(),
  email: z.string().optional(),
  password: z.string().optional(),
  operatorId: z.string().optional(),
  /** SAM user name: camel-case `userName` on the wire (lower-case `username` in profile files). */
  userName: z.string().optional(),
  mfaOTPCode: z.string().optional(),
  tokenTimeoutSeconds: z.number().int().min(180).max(172800).optional(),
});
export type AuthRequest = z.infer<typeof AuthRequest>;

export const AuthResponse = z.looseObject({
  apiKey: z.string(),
  token: z.string(),
  operatorId: z.string(),
  userName: z.string().optional(),
});
export type AuthResponse = z.infer<typeof AuthResponse>;

/** Error body of every Soracom API error: `{code, message}`, e.g. `AUM0001`. */
export const ApiErrorBody = z.looseObject({
  code: z.string().optional(),
  message: z.string().optional(),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;

/** The 12 Sigfox operations of the spec, by operationId. */
export const SIGFOX_OPERATIONS = [
  "listSigfoxDevices",
  "getSigfoxDevice",
  "getDataFromSigfoxDevice",
  "sendDataToSigfoxDevice",
  "disableTerminationOnSigfoxDevice",
  "enableTerminationOnSigfoxDevice",
  "registerSigfoxDevice",
  "setSigfoxDeviceGroup",
  "putSigfoxDeviceTags",
  "deleteSigfoxDeviceTag",
  "terminateSigfoxDevice",
  "unsetSigfoxDeviceGroup",
] as const;
export type SigfoxOperation = (typeof SIGFOX_OPERATIONS)[number];
/** Every operation the client and the emulator know: the 12 Sigfox operations and `auth`. */
export type ApiOperation = SigfoxOperation | "auth";

/** Wire header names. */
export const HEADERS = {
  apiKey: "x-soracom-api-key",
  token: "x-soracom-token",
  lang: "x-soracom-lang",
  nextKey: "x-soracom-next-key",
  link: "link",
  rateLimitLimit: "x-soracom-ratelimit-limit",
  rateLimitRemaining: "x-soracom-ratelimit-remaining",
  rateLimitSecondsBeforeRefresh: "x-soracom-ratelimit-seconds-before-refresh",
  retryAfter: "retry-after",
} as const;
