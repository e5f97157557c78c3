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
import type { ApiSigfoxDevice } from "../api/schemas";
import { getApi, currentSettings, type DeviceApi } from "./config";
import { registerConverging, RegistrationFailure, type RegistrationOutcome } from "./convergence";
import { lookupDevice } from "./device-lookup";
import { describeError, errorCode, operationError, partialStateError, scrub, userError } from "./errors";
import { prepareReleasedPacDir, releasedPacOf, releasedPacPath, writeReleasedPac } from "./released-pacs";
import { applyDelta, partialProperties, reconcile } from "./delta";
import { toJsonObject } from "./sanitize";
import { isUnknown, managedOf, outputsFromPrior, outputsOf, sameGroup, sameManaged, sameTags, type Recorded } from "./state";

// ===================================================================================================
// Schema and types
// ===================================================================================================

export { UNKNOWN } from "./state";

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
    // Named in the reason, never as the property: the engine would print the value next to it (e.g. a PAC under `pac`).
    const closest = closestInputName(key);
    fail("", `unknown property "${key}"${closest ? `: did you mean "${closest}"?` : ""} SigfoxDevice accepts ${INPUT_NAMES.join(", ")}`);
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

/** Names users reach for that are not edits of the real one. */
const INPUT_SYNONYMS: Record<string, (typeof INPUT_NAMES)[number]> = {
  pac: "registrationSecret",
  secret: "registrationSecret",
  id: "deviceId",
  group: "groupId",
};

/** The input a misspelled or mistaken property most likely meant (case-insensitive edit distance ≤ 3, or a known synonym). */
export function closestInputName(name: string): string | undefined {
  const lower = name.toLowerCase();
  if (Object.hasOwn(INPUT_SYNONYMS, lower)) return INPUT_SYNONYMS[lower];
  let best: { name: string; distance: number } | undefined;
  for (const candidate of INPUT_NAMES) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance <= 3 && (!best || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
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

  const { productCertificationId } = desired;
  const registration = await registerOrAdopt(
    api,
    deviceId,
    () =>
      api.registerSigfoxDevice(deviceId, {
        registrationSecret,
        tags: desired.tags,
        ...(productCertificationId !== undefined ? { productCertificationId } : {}),
      }),
    secrets,
  );
  return converge(api, desired, registration.device, registration.kind === "adopted" ? "adopted" : "registered", raw.__provider);
}

/** Create's second half: the device is registered or adopted; make it the declared state. */
async function converge(
  api: DeviceApi,
  desired: SigfoxDeviceInputs,
  device: ApiSigfoxDevice,
  what: "registered" | "adopted",
  provider: unknown,
): Promise<pulumi.dynamic.CreateResult> {
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
  let device: ApiSigfoxDevice | undefined;
  try {
    device = await lookupDevice(getApi(), deviceId);
  } catch (e) {
    throw operationError(deviceId, "read", e, [prior.legacyPac]);
  }
  if (device === undefined || device.status === "terminated") return { id: "", props: {} };
  const recorded = { deviceId: prior.deviceId || deviceId, deleteImmediately: prior.deleteImmediately };
  const outs = outputsOf(device, recorded);
  // No drift: no refreshed inputs, so the engine keeps the stored ones (the PAC with them). Refreshed
  // inputs cannot hold the PAC (the host passes read only the outputs, which never hold it), and the
  // engine shows a refresh as stored inputs → refreshed inputs: every device would list `-registrationSecret`.
  if (sameManaged(managedOf(device), prior)) return { id, props: outs };
  // Drift: the refreshed inputs are the live state, so later previews show the program's changes
  // against it. They lack the PAC: diff never compares it, the next `up` stores the program's again.
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
        `Nothing was sent to the API for this device: it is still registered and still in the stack. Devices of the same run ` +
        `without protection were terminated (the engine lists them as deleted) and cannot be registered again for 24 hours. ` +
        `To terminate this one too: set terminationEnabled: true on it, run \`pulumi up\`, then delete it again; to keep it, ` +
        `keep it in the program.`,
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
  let response: ApiSigfoxDevice;
  try {
    response = await api.terminateSigfoxDevice(deviceId, { deleteImmediately });
  } catch (e) {
    if (errorCode(e) === "not_found") return;
    // A conflict or an unknown outcome: the device may already be terminated. Look before failing.
    let live: ApiSigfoxDevice | undefined;
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

  if (!deleteImmediately) {
    log(`SigfoxDevice ${deviceId}: terminated. ${terminatedDeviceNotice(response)}`);
    return;
  }
  if (pacFile) {
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
 * Registers the device, converging under faults ({@link registerConverging}), and turns every way it
 * can end into what the user reads: adoption is logged; failures say what happened and what to run.
 * `pulumi import` does not work for dynamic resources, so adoption is how an existing device (or one
 * an interrupted run registered) comes under management.
 */
async function registerOrAdopt(api: DeviceApi, deviceId: string, register: () => Promise<ApiSigfoxDevice>, secrets: string[]): Promise<RegistrationOutcome> {
  let outcome: RegistrationOutcome;
  try {
    outcome = await registerConverging(api, deviceId, register);
  } catch (e) {
    throw registrationError(deviceId, e, secrets);
  }
  if (outcome.kind === "adopted") {
    const device = outcome.device;
    log(
      scrub(
        `SigfoxDevice ${deviceId}: already registered to this operator (status ${device.status ?? "unknown"}; registration answered: ` +
          `${describeError(outcome.registerError)}); adopted it and converging it to the declared state`,
        secrets,
      ),
    );
  }
  return outcome;
}

/**
 * `create` without a PAC (adopt-only): the device must already be registered to this operator. It is
 * looked up (never registered), so a device that is not there fails before any write, naming the fix.
 */
async function adoptWithoutPac(api: DeviceApi, deviceId: string): Promise<ApiSigfoxDevice> {
  let existing: ApiSigfoxDevice | undefined;
  try {
    existing = await lookupDevice(api, deviceId);
  } catch (e) {
    throw operationError(deviceId, "adoption (looking the device up)", e, []);
  }
  const fix = "give its PAC (registrationSecret) so that it can be registered, or register it to this operator first and run `pulumi up` again";
  if (existing === undefined) {
    throw userError(
      `SigfoxDevice ${deviceId}: cannot adopt: the device is not registered to this operator, and no registrationSecret (PAC) is given to register it. Fix: ${fix}. Nothing was created.`,
    );
  }
  if (existing.status === "instock" || existing.status === "terminated") {
    const state = existing.status === "instock" ? "in this operator's stock but not registered" : "terminated";
    throw userError(
      `SigfoxDevice ${deviceId}: cannot adopt: the device is ${state}, and no registrationSecret (PAC) is given to register it. Fix: ${fix}. Nothing was created.`,
    );
  }
  log(
    `SigfoxDevice ${deviceId}: no PAC given; the device is registered to this operator (status ${existing.status ?? "unknown"}): adopted it and converging it to the declared state`,
  );
  return existing;
}

/** The user-facing error of a registration that did not end in a device of this operator. */
function registrationError(deviceId: string, e: unknown, secrets: string[]): Error {
  if (!(e instanceof RegistrationFailure)) return operationError(deviceId, "registration", e, secrets);
  const cause = describeError(e.registerError);
  switch (e.kind) {
    case "refused":
      return operationError(deviceId, "registration", e.registerError, secrets);
    case "terminated":
      return userError(scrub(terminatedDeviceMessage(deviceId, e.device), secrets));
    case "budget":
      return userError(
        scrub(
          `SigfoxDevice ${deviceId}: registration failed ${e.attempts} times with transient API errors (last: ${cause}). ` +
            `After each failure a read confirmed the device was not registered, so nothing was registered and nothing is left half-done. ` +
            `Run \`pulumi up\` again once the Soracom API is healthy.`,
          secrets,
        ),
      );
    case "unverified":
      return userError(
        scrub(
          `SigfoxDevice ${deviceId}: registration failed (${cause}) and reading the device to check whether it was registered ` +
            `failed too (${describeError(e.readError)}), so the registration may or may not have happened. Run \`pulumi up\` again: ` +
            `it registers the device, or adopts it if this attempt did register it (never twice).`,
          secrets,
        ),
      );
  }
}

/**
 * A terminated device cannot be registered again until Soracom deletes it, 24 hours after its
 * termination; it then returns to the Sigfox network with a NEW PAC (the program's PAC is spent).
 */
export function terminatedDeviceMessage(deviceId: string, device: ApiSigfoxDevice | undefined): string {
  const since = device?.lastModifiedTime;
  const sinceMs = since === undefined ? NaN : Date.parse(since);
  const when = Number.isNaN(sinceMs)
    ? "24 hours after its termination"
    : `at ${new Date(sinceMs + TERMINATED_RETENTION_MS).toISOString()} (24 hours after its termination at ${new Date(sinceMs).toISOString()})`;
  return (
    `SigfoxDevice ${deviceId}: cannot register: the device is terminated in this operator's account (a \`pulumi destroy\` or a removal ` +
    `terminated it; a terminated device cannot be re-activated). Soracom deletes it ${when}; it then returns to the Sigfox network ` +
    `with a NEW PAC: set that PAC as registrationSecret and run \`pulumi up\` after that time (the current PAC will be refused). ` +
    `To free a device at once next time, destroy it with deleteImmediately: true: its new PAC is written to soracom:releasedPacDir.`
  );
}

/** What a (non-immediate) termination means for the next registration of the device. */
function terminatedDeviceNotice(device: ApiSigfoxDevice): string {
  const at = Date.parse(device.lastModifiedTime ?? "");
  const until = Number.isNaN(at) ? "for 24 hours" : `until ${new Date(at + TERMINATED_RETENTION_MS).toISOString()} (24 hours)`;
  return (
    `It stays in the account as terminated ${until} and cannot be registered again before: a \`pulumi up\` that declares it ` +
    `fails until then. Soracom then deletes it and it returns to the Sigfox network with a NEW PAC, which registering it again needs.`
  );
}

/** How long a terminated device stays in the account before Soracom deletes it. */
const TERMINATED_RETENTION_MS = 24 * 3600 * 1000;

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

function recordedOf(desired: SigfoxDeviceInputs): Recorded {
  return { deviceId: desired.deviceId, deleteImmediately: desired.deleteImmediately };
}

/** Provider-process log line (stderr, shown by the engine). Never pass a secret. */
function log(message: string): void {
  process.stderr.write(`${message}\n`);
}
