/**
 * The SigfoxDevice resource provider, in lifecycle order: schema and types, check, diff, create,
 * read, update, delete, then adoption. Each operation takes the desired/prior state, validates it,
 * calls the API (the minimum number of calls) and returns the full new state, JSON-clean.
 *
 * The engine never loads this file directly: the serialized shim (`./shim.ts`) requires the public
 * entry `pulumi-soracom-sigfox/provider` (`./index.ts`), which installs these methods.
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import {
  DeviceIdValue,
  GroupIdValue,
  PacValue,
  ProductCertificationIdValue,
  TagMapValue,
  TagNameValue,
  TagValueValue,
  TOO_MANY_TAGS_MESSAGE,
  withinTagCount,
} from "../api/values";
import type { SigfoxDevice } from "../api/schemas";
import { getApi, currentSettings, type DeviceApi } from "./config";
import { lookupDevice } from "./device-lookup";
import { describeError, errorCode, operationError, partialStateError, scrub, userError } from "./errors";
import { prepareReleasedPacDir, releasedPacOf, releasedPacPath, writeReleasedPac } from "./released-pacs";
import { toJsonObject, type JsonObject } from "./sanitize";

// ===================================================================================================
// Schema and types
// ===================================================================================================

/** The value the engine puts in place of an input that is not known yet (during preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const isUnknown = (v: unknown): boolean => v === UNKNOWN;

/** The shared limits (src/api/values.ts), re-exported: provider/index.ts has always exported them. */
export { MAX_TAG_NAME_LENGTH, MAX_TAG_VALUE_LENGTH } from "../api/values";

/** Inputs after `check`: what create/update receive (plus the host's `__provider`). */
export interface SigfoxDeviceInputs {
  deviceId: string;
  /** Absent = adopt-only: the device must already be registered to this operator (create never registers it). */
  registrationSecret?: string;
  tags: Record<string, string>;
  /** Absent = the device is in no group (the key is omitted, never `null` or `""`). */
  groupId?: string;
  terminationEnabled: boolean;
  deleteImmediately: boolean;
  /**
   * Sent with the registration only, like the PAC: not an output, never compared by `diff` (a change is
   * no update and no API call; docs/provider.md says why).
   */
  productCertificationId?: string;
}

/**
 * Outputs: the inputs except the PAC and the product certification ID, as the API reports them, plus server-computed fields. The PAC
 * (`registrationSecret`) is never an output: it is a one-time registration secret the API never
 * reports, and every output is echoed in plain text by the SDK's debug log of the program process.
 */
export interface SigfoxDeviceOutputs extends Omit<SigfoxDeviceInputs, "registrationSecret" | "productCertificationId"> {
  status?: string;
  operatorId?: string;
  lastModifiedTime?: string;
  lastSeen?: { time?: string; rssi?: number; snr?: number };
}

/** The fields the API manages and `update` converges: compared by `diff`, reported as drift by refresh. */
interface ManagedState {
  tags: Record<string, string>;
  groupId?: string;
  terminationEnabled: boolean;
}

/** Input names of the resource (the engine's `__provider` is handled by the host). */
export const INPUT_NAMES = ["deviceId", "registrationSecret", "tags", "groupId", "terminationEnabled", "deleteImmediately", "productCertificationId"] as const;
/** Inputs that are also outputs (and refreshed inputs): every input but the registration-only ones. */
const ECHOED_INPUT_NAMES = INPUT_NAMES.filter((n) => n !== "registrationSecret" && n !== "productCertificationId");
/** Output-only names: seeded by the resource class, never sent as inputs with a value. */
const OUTPUT_ONLY_NAMES = ["status", "operatorId", "lastModifiedTime", "lastSeen"];

const DeviceId = DeviceIdValue;
const Pac = PacValue;
const TagName = TagNameValue;
const TagValue = TagValueValue;
const GroupId = GroupIdValue;
const Flag = (name: string) => z.boolean({ error: `${name} must be true or false` });

/** The zod schema of checked inputs (all values known). Used to re-validate what create/update receive. */
export const SigfoxDeviceInputsSchema = z.object({
  deviceId: DeviceId,
  registrationSecret: Pac.optional(),
  tags: TagMapValue,
  groupId: GroupId.optional(),
  terminationEnabled: Flag("terminationEnabled"),
  deleteImmediately: Flag("deleteImmediately"),
  productCertificationId: ProductCertificationIdValue.optional(),
});

// ===================================================================================================
// check: validate and normalize; tolerate unknowns; no network
// ===================================================================================================

/**
 * Validates and normalizes the inputs. Per-property failures carry a fix and never echo a value (the
 * PAC is a secret). Unknown values (preview) are accepted as they are. Defaults: `tags` {},
 * `terminationEnabled` false (Soracom's default: protected), `deleteImmediately` false.
 */
export async function check(_olds: unknown, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult> {
  const failures: pulumi.dynamic.CheckFailure[] = [];
  const inputs: Record<string, unknown> = {};
  // The engine prints a failing property's *value* next to the reason, even a secret's: failures of
  // the PAC name it in the reason and leave `property` empty so the engine prints no value.
  const fail = (property: string, reason: string) =>
    failures.push(property === "registrationSecret" ? { property: "", reason: `registrationSecret: ${reason}` } : { property, reason });
  const field = (name: keyof typeof SigfoxDeviceInputsSchema.shape, schema: z.ZodType, value: unknown): void => {
    if (isUnknown(value)) {
      inputs[name] = value;
      return;
    }
    const r = schema.safeParse(value);
    if (r.success) inputs[name] = r.data;
    else fail(name, r.error.issues[0]?.message ?? `${name} is invalid`);
  };

  for (const key of Object.keys(news)) {
    if (key === "__provider" || (INPUT_NAMES as readonly string[]).includes(key)) continue;
    if (OUTPUT_ONLY_NAMES.includes(key) && (news[key] === undefined || news[key] === null)) continue;
    fail(key, `unknown property "${key}": SigfoxDevice accepts ${INPUT_NAMES.join(", ")}`);
  }

  const present = (v: unknown) => v !== undefined && v !== null;
  if (!present(news.deviceId)) fail("deviceId", 'deviceId is required: the Sigfox device ID, e.g. "1A2B3C4D"');
  else field("deviceId", DeviceId, news.deviceId);
  // No PAC = adopt-only: whether the device is registered is create's question (check never calls the API).
  if (present(news.registrationSecret)) field("registrationSecret", Pac, news.registrationSecret);

  const tags = news.tags;
  if (!present(tags)) inputs.tags = {};
  else if (isUnknown(tags)) inputs.tags = tags;
  else if (typeof tags !== "object" || Array.isArray(tags)) fail("tags", 'tags must be a map of tag name to value, e.g. {site: "tokyo"}');
  else {
    const out: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(tags as Record<string, unknown>)) {
      const n = TagName.safeParse(name);
      if (!n.success) {
        fail("tags", `${n.error.issues[0]?.message ?? "invalid tag name"} (tag ${JSON.stringify(name.slice(0, 40))})`);
        continue;
      }
      if (isUnknown(value)) {
        out[name] = value;
        continue;
      }
      const v = TagValue.safeParse(value);
      if (!v.success) fail("tags", `${v.error.issues[0]?.message ?? "invalid tag value"} (tag ${JSON.stringify(name.slice(0, 40))})`);
      else out[name] = v.data;
    }
    if (!withinTagCount(out)) fail("tags", `${TOO_MANY_TAGS_MESSAGE}; this one has ${Object.keys(out).length}`);
    inputs.tags = out;
  }

  if (present(news.groupId)) {
    if (news.groupId === "") fail("groupId", "groupId must not be empty: omit it for no group");
    else field("groupId", GroupId, news.groupId);
  }
  if (present(news.terminationEnabled)) field("terminationEnabled", Flag("terminationEnabled"), news.terminationEnabled);
  else inputs.terminationEnabled = false;
  if (present(news.deleteImmediately)) field("deleteImmediately", Flag("deleteImmediately"), news.deleteImmediately);
  else inputs.deleteImmediately = false;
  if (present(news.productCertificationId)) field("productCertificationId", ProductCertificationIdValue, news.productCertificationId);

  if (failures.length > 0) return { inputs: toJsonObject(news), failures };
  return { inputs: toJsonObject(inputs), failures: [] };
}

// ===================================================================================================
// diff: managed fields of the old outputs against the new inputs; no network
// ===================================================================================================

/**
 * Names of the inputs whose new value differs from the old outputs. `deviceId` case differences are
 * the same device (hex), reported as `deviceIdSpelling` (recorded by an update, no API call). The PAC
 * is never compared: it is not an output, and it only matters to a registration (a later one uses
 * the program's value at that time), so a changed or unknown PAC is no change.
 */
export function changedFields(olds: Record<string, unknown>, news: Record<string, unknown>): string[] {
  const prior = priorState(olds);
  const changed: string[] = [];
  const id = news.deviceId;
  if (isUnknown(id) || typeof id !== "string" || id.toUpperCase() !== prior.deviceId.toUpperCase()) changed.push("deviceId");
  else if (id !== prior.deviceId) changed.push("deviceIdSpelling");
  if (!sameTags(prior.tags, news.tags)) changed.push("tags");
  if (!sameGroup(prior.groupId, news.groupId)) changed.push("groupId");
  if (isUnknown(news.terminationEnabled) || (news.terminationEnabled ?? false) !== prior.terminationEnabled) changed.push("terminationEnabled");
  if (isUnknown(news.deleteImmediately) || (news.deleteImmediately ?? false) !== prior.deleteImmediately) changed.push("deleteImmediately");
  return changed;
}

/**
 * `deviceId` → replacement (delete before create: it is another physical device); tags, group and
 * the termination flag → in-place update; `deleteImmediately` alone → an update that only records
 * the value. `registrationSecret` is not compared at all (see {@link changedFields}): a PAC change
 * alone is no change. `changes` is always a boolean: `undefined` would make the engine diff `__provider`.
 */
export async function diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.DiffResult> {
  const changed = changedFields(olds, news);
  const replaces = changed.includes("deviceId") ? ["deviceId"] : [];
  return {
    changes: changed.length > 0,
    replaces,
    deleteBeforeReplace: replaces.length > 0,
  };
}

// ===================================================================================================
// create: register (tags in the same call), then group and flag only when needed; adopt when the
// device already belongs to this operator; partial state when a later step fails
// ===================================================================================================

export async function create(raw: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult> {
  const desired = parseInputs(raw, "create");
  const { deviceId, registrationSecret } = desired;
  const api = getApi();
  if (registrationSecret === undefined) return converge(api, desired, await adoptWithoutPac(api, deviceId), "adopted", raw.__provider);
  const secrets = [registrationSecret];

  let device: SigfoxDevice;
  let adopted = false;
  try {
    const { productCertificationId } = desired;
    device = await api.registerSigfoxDevice(deviceId, { registrationSecret, tags: desired.tags, ...(productCertificationId !== undefined ? { productCertificationId } : {}) });
  } catch (registerError) {
    device = await adoptAfterFailedRegistration(api, deviceId, registerError, secrets);
    adopted = true;
    log(
      scrub(
        `SigfoxDevice ${deviceId}: already registered to this operator (status ${device.status ?? "unknown"}; registration answered: ` +
          `${describeError(registerError)}); adopted it and converging it to the declared state`,
        secrets,
      ),
    );
  }
  return converge(api, desired, device, adopted ? "adopted" : "registered", raw.__provider);
}

/** Create's second half: the device is registered or adopted; make it the declared state. */
async function converge(api: DeviceApi, desired: SigfoxDeviceInputs, device: SigfoxDevice, what: "registered" | "adopted", provider: unknown): Promise<pulumi.dynamic.CreateResult> {
  const { deviceId } = desired;
  const secrets = [desired.registrationSecret];
  const base = managedOf(device);
  const outcome = await applyDelta(api, deviceId, base, desired, device);
  const recorded = recordedOf(desired);
  if (outcome.failure) {
    throw partialStateError(
      deviceId,
      partialProperties(outcome, recorded, provider),
      scrub(
        `SigfoxDevice ${deviceId}: ${what}, but ${outcome.failure.step} failed: ${describeError(outcome.failure.error)}. ` +
          `The device is recorded in the stack; run \`pulumi up\` again to finish.`,
        secrets,
      ),
    );
  }
  const final = await reconcile(api, deviceId, outcome, desired, secrets, "create");
  return { id: deviceId, outs: outputsOf(final, recorded) };
}

// ===================================================================================================
// read: GET; gone (404 or terminated) → empty id; refreshed inputs so refresh reports drift
// ===================================================================================================

export async function read(id: string, props: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult> {
  const prior = priorState(props);
  const deviceId = id || prior.deviceId;
  let device: SigfoxDevice | undefined;
  try {
    device = await lookupDevice(getApi(), deviceId);
  } catch (e) {
    throw operationError(deviceId, "read", e, [prior.legacyPac]);
  }
  if (device === undefined || device.status === "terminated") return { id: "", props: {} };
  const recorded = { deviceId: prior.deviceId || deviceId, deleteImmediately: prior.deleteImmediately };
  const outs = outputsOf(device, recorded);
  // The refreshed inputs lack the PAC (the provider host passes only the outputs, which never hold it):
  // diff never compares it, and the next `up` stores the program's PAC as the input again.
  const inputs: Record<string, unknown> = {};
  for (const name of ECHOED_INPUT_NAMES) if (name in outs) inputs[name] = outs[name];
  return { id, props: outs, inputs: toJsonObject(inputs) };
}

// ===================================================================================================
// update: only the fields that changed, one call each (one PUT for all new/changed tags)
// ===================================================================================================

export async function update(id: string, olds: Record<string, unknown>, news: Record<string, unknown>): Promise<pulumi.dynamic.UpdateResult> {
  const desired = parseInputs(news, "update");
  const prior = priorState(olds);
  const deviceId = id || desired.deviceId;
  const secrets = [desired.registrationSecret, prior.legacyPac];
  const recorded = recordedOf(desired);
  const api = getApi();

  const outcome = await applyDelta(api, deviceId, prior, desired, undefined);
  if (outcome.failure) {
    const base = outputsFromPrior(olds, recorded);
    throw partialStateError(
      deviceId,
      partialProperties(outcome, recorded, news.__provider, base),
      scrub(
        `SigfoxDevice ${deviceId}: update failed while ${outcome.failure.step}: ${describeError(outcome.failure.error)}. ` +
          `Changes made before the failure are recorded; run \`pulumi up\` again to finish.`,
        secrets,
      ),
    );
  }
  if (outcome.calls === 0) {
    // Only recorded values changed (deleteImmediately, deviceId spelling), or none (the engine also
    // runs update for a resource with init errors): no API call.
    return { outs: outputsFromPrior(olds, recorded) };
  }
  const final = await reconcile(api, deviceId, outcome, desired, secrets, "update");
  return { outs: outputsOf(final, recorded) };
}

// ===================================================================================================
// delete: refuse while protected (no API call); terminate; 404 is success; keep a released PAC
// ===================================================================================================

export async function remove(id: string, props: Record<string, unknown>): Promise<void> {
  const prior = priorState(props);
  const deviceId = id || prior.deviceId;
  const secrets = [prior.legacyPac];
  if (!prior.terminationEnabled) {
    throw userError(
      `SigfoxDevice ${deviceId}: refusing to terminate: termination protection is on (terminationEnabled is false). ` +
        `Set terminationEnabled: true on the resource and run \`pulumi up\` first, then delete it again. ` +
        `Nothing was changed.`,
    );
  }
  const deleteImmediately = prior.deleteImmediately;
  let pacFile: string | undefined;
  if (deleteImmediately) {
    pacFile = releasedPacPath(currentSettings().releasedPacDir, prior.operatorId ?? "unknown-operator", deviceId);
    try {
      await prepareReleasedPacDir(pacFile);
    } catch (e) {
      throw operationError(deviceId, "delete (immediate)", e, secrets);
    }
  }

  const api = getApi();
  let response: SigfoxDevice;
  try {
    response = await api.terminateSigfoxDevice(deviceId, { deleteImmediately });
  } catch (e) {
    if (errorCode(e) === "not_found") return;
    // A conflict or an unknown outcome: the device may already be terminated. Look before failing.
    let live: SigfoxDevice | undefined;
    try {
      live = await api.getSigfoxDevice(deviceId);
    } catch (getError) {
      if (errorCode(getError) === "not_found") {
        if (deleteImmediately) log(`SigfoxDevice ${deviceId}: deleted, but the response was lost: its released PAC could not be captured`);
        return;
      }
    }
    if (live?.status === "terminated" && !deleteImmediately) return;
    throw operationError(deviceId, deleteImmediately ? "termination (delete immediately)" : "termination", e, secrets);
  }

  if (deleteImmediately && pacFile) {
    const pac = releasedPacOf(response);
    if (pac === undefined) {
      log(`SigfoxDevice ${deviceId}: deleted immediately; the API returned no released PAC`);
      return;
    }
    const operatorId = response.operatorId ?? prior.operatorId ?? "unknown-operator";
    const file = releasedPacPath(currentSettings().releasedPacDir, operatorId, deviceId);
    try {
      await writeReleasedPac(file, { deviceId, operatorId, registrationSecret: pac, releasedAt: new Date().toISOString() });
    } catch (e) {
      // The device is gone either way; failing here would only keep a dead resource in the stack.
      log(`SigfoxDevice ${deviceId}: deleted immediately, but writing its released PAC to ${file} failed: ${scrub(describeError(e), [pac])}`);
      return;
    }
    log(`SigfoxDevice ${deviceId}: deleted immediately; its released PAC (a secret) was written to ${file}`);
  }
}

// ===================================================================================================
// Adoption and convergence
// ===================================================================================================

/**
 * After a failed `register`: if the device is already in this operator's account (a retried or
 * interrupted create, or an existing device the user declares), it is adopted; `pulumi import` does
 * not work for dynamic resources, so this is the adoption mechanism. Otherwise the registration
 * error stands.
 */
async function adoptAfterFailedRegistration(api: DeviceApi, deviceId: string, registerError: unknown, secrets: string[]): Promise<SigfoxDevice> {
  const code = errorCode(registerError);
  if (code === "config" || code === "auth" || code === "aborted") throw operationError(deviceId, "registration", registerError, secrets);
  let existing: SigfoxDevice;
  try {
    existing = await api.getSigfoxDevice(deviceId);
  } catch (getError) {
    if (errorCode(getError) === "not_found") throw operationError(deviceId, "registration", registerError, secrets);
    throw userError(
      scrub(
        `SigfoxDevice ${deviceId}: registration failed (${describeError(registerError)}) and reading the device to check ` +
          `whether it is already registered failed too (${describeError(getError)}). Run \`pulumi up\` again.`,
        secrets,
      ),
    );
  }
  if (existing.status === "instock") {
    // In the operator's stock but not registered: registration itself failed (e.g. a wrong PAC).
    throw operationError(deviceId, "registration", registerError, secrets);
  }
  if (existing.status === "terminated") {
    throw userError(
      `SigfoxDevice ${deviceId}: cannot register: the device is terminated in this operator's account. Soracom deletes ` +
        `terminated devices 24 hours after termination (or at once with deleteImmediately); register it again after that, with its new PAC.`,
    );
  }
  return existing;
}

/**
 * `create` without a PAC (adopt-only): the device must already be registered to this operator. It is
 * looked up (never registered), so a device that is not there fails before any write, naming the fix.
 */
async function adoptWithoutPac(api: DeviceApi, deviceId: string): Promise<SigfoxDevice> {
  let existing: SigfoxDevice | undefined;
  try {
    existing = await lookupDevice(api, deviceId);
  } catch (e) {
    throw operationError(deviceId, "adoption (looking the device up)", e, []);
  }
  const fix = "give its PAC (registrationSecret) so that it can be registered, or register it to this operator first and run `pulumi up` again";
  if (existing === undefined) {
    throw userError(`SigfoxDevice ${deviceId}: cannot adopt: the device is not registered to this operator, and no registrationSecret (PAC) is given to register it. Fix: ${fix}. Nothing was created.`);
  }
  if (existing.status === "instock" || existing.status === "terminated") {
    const state = existing.status === "instock" ? "in this operator's stock but not registered" : "terminated";
    throw userError(`SigfoxDevice ${deviceId}: cannot adopt: the device is ${state}, and no registrationSecret (PAC) is given to register it. Fix: ${fix}. Nothing was created.`);
  }
  log(`SigfoxDevice ${deviceId}: no PAC given; the device is registered to this operator (status ${existing.status ?? "unknown"}): adopted it and converging it to the declared state`);
  return existing;
}

interface TagDelta {
  remove: string[];
  put: { tagName: string; tagValue: string }[];
}

/** The calls that turn `from` into `to`, in the order they are made. Pure. */
export function planDelta(from: ManagedState, to: ManagedState): { tags: TagDelta; group: { set: string } | "unset" | undefined; termination: boolean | undefined } {
  const remove = Object.keys(from.tags).filter((k) => !Object.hasOwn(to.tags, k));
  const put = Object.entries(to.tags)
    .filter(([k, v]) => from.tags[k] !== v)
    .map(([tagName, tagValue]) => ({ tagName, tagValue }));
  let group: { set: string } | "unset" | undefined;
  if (!sameGroup(from.groupId, to.groupId)) group = to.groupId ? { set: to.groupId } : "unset";
  const termination = from.terminationEnabled !== to.terminationEnabled ? to.terminationEnabled : undefined;
  return { tags: { remove, put }, group, termination };
}

interface DeltaOutcome {
  /** The managed state after the calls that succeeded. */
  applied: ManagedState;
  /** The last device the API returned, if any. */
  device: SigfoxDevice | undefined;
  /** True when `device` reflects every successful call (no tag deletion after it). */
  fresh: boolean;
  calls: number;
  failure?: { step: string; error: unknown };
}

/** Makes the calls of {@link planDelta}; stops at the first failure and reports how far it got. */
async function applyDelta(api: DeviceApi, deviceId: string, from: ManagedState, to: ManagedState, device: SigfoxDevice | undefined): Promise<DeltaOutcome> {
  const plan = planDelta(from, to);
  const out: DeltaOutcome = { applied: { ...from, tags: { ...from.tags } }, device, fresh: device !== undefined, calls: 0 };
  const step = async (name: string, call: () => Promise<SigfoxDevice | void>, apply: () => void): Promise<boolean> => {
    out.calls++;
    try {
      const result = await call();
      apply();
      if (result) {
        out.device = result;
        out.fresh = true;
      } else {
        out.fresh = false;
      }
      return true;
    } catch (error) {
      out.failure = { step: name, error };
      return false;
    }
  };
  for (const name of plan.tags.remove) {
    const ok = await step(
      `removing tag ${JSON.stringify(name)}`,
      async () => {
        try {
          await api.deleteSigfoxDeviceTag(deviceId, name);
        } catch (e) {
          if (errorCode(e) !== "not_found") throw e; // already gone: the desired state holds
        }
      },
      () => {
        delete out.applied.tags[name];
      },
    );
    if (!ok) return out;
  }
  if (plan.tags.put.length > 0) {
    const ok = await step("setting tags", () => api.putSigfoxDeviceTags(deviceId, plan.tags.put), () => {
      for (const t of plan.tags.put) out.applied.tags[t.tagName] = t.tagValue;
    });
    if (!ok) return out;
  }
  const group = plan.group;
  if (group === "unset") {
    const ok = await step("removing the device from its group", () => api.unsetSigfoxDeviceGroup(deviceId), () => {
      delete out.applied.groupId;
    });
    if (!ok) return out;
  } else if (group) {
    const ok = await step(`setting the group to ${group.set}`, () => api.setSigfoxDeviceGroup(deviceId, group.set), () => {
      out.applied.groupId = group.set;
    });
    if (!ok) return out;
  }
  if (plan.termination !== undefined) {
    const enable = plan.termination;
    const ok = await step(
      enable ? "enabling termination (terminationEnabled: true)" : "disabling termination (terminationEnabled: false)",
      () => (enable ? api.enableTerminationOnSigfoxDevice(deviceId) : api.disableTerminationOnSigfoxDevice(deviceId)),
      () => {
        out.applied.terminationEnabled = enable;
      },
    );
    if (!ok) return out;
  }
  return out;
}

/**
 * The device's final state: the last API response when it is fresh and shows the desired managed
 * state; otherwise one GET (after a trailing tag deletion, or a response missing fields).
 */
async function reconcile(api: DeviceApi, deviceId: string, outcome: DeltaOutcome, desired: ManagedState, secrets: ReadonlyArray<string | undefined>, what: string): Promise<SigfoxDevice> {
  if (outcome.device && outcome.fresh && sameManaged(managedOf(outcome.device), desired)) return outcome.device;
  try {
    return await api.getSigfoxDevice(deviceId);
  } catch (e) {
    throw operationError(deviceId, `${what} (reading the device back)`, e, secrets);
  }
}

// ===================================================================================================
// State helpers (pure)
// ===================================================================================================

/** Re-validates checked inputs (create/update receive known values only). */
function parseInputs(raw: Record<string, unknown>, what: string): SigfoxDeviceInputs {
  const r = SigfoxDeviceInputsSchema.safeParse({
    deviceId: raw.deviceId,
    registrationSecret: raw.registrationSecret ?? undefined,
    tags: raw.tags ?? {},
    groupId: raw.groupId === null || raw.groupId === "" ? undefined : raw.groupId,
    terminationEnabled: raw.terminationEnabled ?? false,
    deleteImmediately: raw.deleteImmediately ?? false,
    productCertificationId: raw.productCertificationId ?? undefined,
  });
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join(".") || "(inputs)"}: ${i.message}`).join("; ");
    const id = typeof raw.deviceId === "string" ? raw.deviceId : "(unknown)";
    throw userError(`SigfoxDevice ${id}: ${what} received invalid inputs: ${issues}`);
  }
  const d = r.data;
  const { registrationSecret, groupId, productCertificationId, ...rest } = d;
  return {
    ...rest,
    ...(registrationSecret === undefined ? {} : { registrationSecret }),
    ...(groupId === undefined ? {} : { groupId }),
    ...(productCertificationId === undefined ? {} : { productCertificationId }),
  };
}

/**
 * The prior state from stored outputs (tolerant: older versions may lack fields). `legacyPac` is the
 * PAC that outputs written by earlier versions of the provider may still hold (never written now),
 * used only to scrub error texts.
 */
function priorState(props: Record<string, unknown>): SigfoxDeviceOutputs & { legacyPac?: string } {
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  const tags: Record<string, string> = {};
  if (props.tags && typeof props.tags === "object" && !Array.isArray(props.tags)) {
    for (const [k, v] of Object.entries(props.tags as Record<string, unknown>)) if (typeof v === "string") tags[k] = v;
  }
  const groupId = str(props.groupId);
  const operatorId = str(props.operatorId);
  const legacyPac = str(props.registrationSecret);
  return {
    deviceId: str(props.deviceId) ?? "",
    tags,
    ...(groupId ? { groupId } : {}),
    terminationEnabled: props.terminationEnabled === true,
    deleteImmediately: props.deleteImmediately === true,
    ...(operatorId ? { operatorId } : {}),
    ...(legacyPac ? { legacyPac } : {}),
  };
}

/** The managed state of a device as the API returned it. */
function managedOf(device: SigfoxDevice): ManagedState {
  return {
    tags: { ...(device.tags ?? {}) },
    ...(device.groupId ? { groupId: device.groupId } : {}),
    terminationEnabled: device.terminationEnabled === true,
  };
}

/** Values the provider records but the API does not hold (the PAC is not one of them: never an output). */
interface Recorded {
  deviceId: string;
  deleteImmediately: boolean;
}
function recordedOf(desired: SigfoxDeviceInputs): Recorded {
  return { deviceId: desired.deviceId, deleteImmediately: desired.deleteImmediately };
}

/** Full outputs from a device response. Absent group/lastSeen/... → key omitted. */
function outputsOf(device: SigfoxDevice, recorded: Recorded): JsonObject {
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
function outputsFromPrior(olds: Record<string, unknown>, recorded: Recorded): JsonObject {
  const prior = toJsonObject(olds);
  delete prior.__provider;
  delete prior.registrationSecret;
  return toJsonObject({ ...prior, ...recorded });
}

/**
 * Properties of a partial-state error: what is known to be true after the calls that succeeded, plus
 * `__provider` (the host adds it to successful results only; without it later read/delete fail).
 */
function partialProperties(outcome: DeltaOutcome, recorded: Recorded, provider: unknown, base?: JsonObject): JsonObject {
  const from = outcome.device ? outputsOf(outcome.device, recorded) : (base ?? toJsonObject({ ...recorded }));
  const props: Record<string, unknown> = { ...from, ...recorded, tags: outcome.applied.tags, terminationEnabled: outcome.applied.terminationEnabled };
  if (outcome.applied.groupId) props.groupId = outcome.applied.groupId;
  else delete props.groupId;
  props.__provider = provider;
  return toJsonObject(props);
}

function sameTags(prior: Record<string, string>, next: unknown): boolean {
  if (next === undefined || next === null) return Object.keys(prior).length === 0;
  if (isUnknown(next) || typeof next !== "object" || Array.isArray(next)) return false;
  const n = next as Record<string, unknown>;
  const keys = Object.keys(n);
  if (keys.length !== Object.keys(prior).length) return false;
  return keys.every((k) => Object.hasOwn(prior, k) && n[k] === prior[k]);
}

/** Group IDs are UUIDs: compared case-insensitively; absent, `null` and `""` all mean no group. */
function sameGroup(a: unknown, b: unknown): boolean {
  if (isUnknown(a) || isUnknown(b)) return false;
  const norm = (v: unknown) => (typeof v === "string" && v !== "" ? v.toLowerCase() : undefined);
  return norm(a) === norm(b);
}

function sameManaged(a: ManagedState, b: ManagedState): boolean {
  return sameTags(a.tags, b.tags) && sameGroup(a.groupId, b.groupId) && a.terminationEnabled === b.terminationEnabled;
}

/** Provider-process log line (stderr, shown by the engine). Never pass a secret. */
function log(message: string): void {
  process.stderr.write(`${message}\n`);
}
