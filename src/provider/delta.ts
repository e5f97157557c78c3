/**
 * The convergence engine: the calls that turn a device's managed state into the declared one
 * ({@link planDelta}, pure), making them one by one with the fault-tolerant retries of
 * ./convergence.ts ({@link applyDelta}), the final state read back only when the last response does
 * not show it ({@link reconcile}), and what a partial failure records ({@link partialProperties}).
 * create (after registering or adopting) and update both end here.
 */
import type { ApiSigfoxDevice } from "../api/schemas";
import type { DeviceApi } from "./config";
import { retryIdempotent } from "./convergence";
import { errorCode, operationError } from "./errors";
import { toJsonObject, type JsonObject } from "./sanitize";
import { managedOf, outputsOf, sameGroup, sameManaged, type ManagedState, type Recorded } from "./state";

export interface TagDelta {
  remove: string[];
  put: { tagName: string; tagValue: string }[];
}

/** The calls that turn `from` into `to`, in the order they are made. Pure. */
export function planDelta(
  from: ManagedState,
  to: ManagedState,
): { tags: TagDelta; group: { set: string } | "unset" | undefined; termination: boolean | undefined } {
  const remove = Object.keys(from.tags).filter((k) => !Object.hasOwn(to.tags, k));
  const put = Object.entries(to.tags)
    .filter(([k, v]) => from.tags[k] !== v)
    .map(([tagName, tagValue]) => ({ tagName, tagValue }));
  let group: { set: string } | "unset" | undefined;
  if (!sameGroup(from.groupId, to.groupId)) group = to.groupId ? { set: to.groupId } : "unset";
  const termination = from.terminationEnabled !== to.terminationEnabled ? to.terminationEnabled : undefined;
  return { tags: { remove, put }, group, termination };
}

export interface DeltaOutcome {
  /** The managed state after the calls that succeeded. */
  applied: ManagedState;
  /** The last device the API returned, if any. */
  device: ApiSigfoxDevice | undefined;
  /** True when `device` reflects every successful call (no tag deletion after it). */
  fresh: boolean;
  calls: number;
  failure?: { step: string; error: unknown };
}

/** Makes the calls of {@link planDelta}; stops at the first failure and reports how far it got. */
export async function applyDelta(
  api: DeviceApi,
  deviceId: string,
  from: ManagedState,
  to: ManagedState,
  device: ApiSigfoxDevice | undefined,
): Promise<DeltaOutcome> {
  const plan = planDelta(from, to);
  const out: DeltaOutcome = { applied: { ...from, tags: { ...from.tags } }, device, fresh: device !== undefined, calls: 0 };
  const step = async (name: string, call: () => Promise<ApiSigfoxDevice | undefined>, apply: () => void): Promise<boolean> => {
    out.calls++;
    try {
      // Every step is idempotent (a PUT, a set, a flag, a tag deletion that tolerates 404): safe to call again.
      const result = await retryIdempotent(call);
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
        return undefined; // a deletion returns no device
      },
      () => {
        delete out.applied.tags[name];
      },
    );
    if (!ok) return out;
  }
  if (plan.tags.put.length > 0) {
    const ok = await step(
      "setting tags",
      () => api.putSigfoxDeviceTags(deviceId, plan.tags.put),
      () => {
        for (const t of plan.tags.put) out.applied.tags[t.tagName] = t.tagValue;
      },
    );
    if (!ok) return out;
  }
  const group = plan.group;
  if (group === "unset") {
    const ok = await step(
      "removing the device from its group",
      () => api.unsetSigfoxDeviceGroup(deviceId),
      () => {
        delete out.applied.groupId;
      },
    );
    if (!ok) return out;
  } else if (group) {
    const ok = await step(
      `setting the group to ${group.set}`,
      () => api.setSigfoxDeviceGroup(deviceId, group.set),
      () => {
        out.applied.groupId = group.set;
      },
    );
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
export async function reconcile(
  api: DeviceApi,
  deviceId: string,
  outcome: DeltaOutcome,
  desired: ManagedState,
  secrets: ReadonlyArray<string | undefined>,
  what: string,
): Promise<ApiSigfoxDevice> {
  if (outcome.device && outcome.fresh && sameManaged(managedOf(outcome.device), desired)) return outcome.device;
  try {
    return await api.getSigfoxDevice(deviceId);
  } catch (e) {
    throw operationError(deviceId, `${what} (reading the device back)`, e, secrets);
  }
}

/**
 * Properties of a partial-state error: what is known to be true after the calls that succeeded, plus
 * `__provider` (the host adds it to successful results only; without it later read/delete fail).
 */
export function partialProperties(outcome: DeltaOutcome, recorded: Recorded, provider: unknown, base?: JsonObject): JsonObject {
  const from = outcome.device ? outputsOf(outcome.device, recorded) : (base ?? toJsonObject({ ...recorded }));
  const props: Record<string, unknown> = { ...from, ...recorded, tags: outcome.applied.tags, terminationEnabled: outcome.applied.terminationEnabled };
  if (outcome.applied.groupId) props.groupId = outcome.applied.groupId;
  else delete props.groupId;
  props.__provider = provider;
  return toJsonObject(props);
}
