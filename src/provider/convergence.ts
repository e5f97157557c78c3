/**
 * How the provider converges one device under transient API faults (5xx, 429, dropped connections,
 * timeouts), so that one failed call does not cost the whole `pulumi up` (the engine stops starting
 * new steps after the first failure).
 *
 * Two kinds of calls, two rules:
 * - idempotent writes (PUT tags, set/unset group, enable/disable termination, tag deletion): simply
 *   called again, with backoff, within a per-device budget ({@link retryIdempotent});
 * - `register` (not idempotent, never replayed by the client): called again only after a read proved
 *   that the failed attempt did not take effect; a device found registered to this operator is
 *   adopted ({@link registerConverging}).
 *
 * The client already retries replay-safe calls a few times within a process-wide budget and waits out
 * 429s; this layer is what survives once that budget is spent, and what makes `register` safe to retry.
 */
import type { ApiSigfoxDevice } from "../api/schemas";
import { backoffDelay } from "../client";
import type { DeviceApi } from "./config";
import { lookupDevice } from "./device-lookup";
import { errorCode, errorStatus } from "./errors";

/** Per-device attempt budget and backoff of this layer. */
export interface ConvergencePolicy {
  /** Attempts of one call (the first included). */
  attempts: number;
  /** First backoff ceiling (full jitter: attempt n waits random(0, min(maxDelayMs, baseDelayMs·2^(n-1)))). */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_CONVERGENCE: ConvergencePolicy = { attempts: 6, baseDelayMs: 500, maxDelayMs: 8_000 };

let current: ConvergencePolicy = DEFAULT_CONVERGENCE;
/** Tests only: shorter backoff (or restore the default with `undefined`). */
export function setConvergencePolicyForTests(policy: ConvergencePolicy | undefined): void {
  current = policy ?? DEFAULT_CONVERGENCE;
}

/**
 * True for failures that may pass if the same call is made again later: a 5xx, a 429 the client
 * gave up waiting for, a dropped connection, a timeout. Everything else (400, 404, 409, auth, config)
 * is an answer, not a fault.
 */
export function isTransient(err: unknown): boolean {
  const code = errorCode(err);
  if (code === "network" || code === "timeout" || code === "rate_limited") return true;
  const status = errorStatus(err);
  return code === "http" && status !== undefined && status >= 500;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function backoff(attempt: number, policy: ConvergencePolicy): Promise<void> {
  await sleep(backoffDelay(attempt, policy));
}

/** An idempotent call, made again after a transient failure (with backoff) until the budget is spent. */
export async function retryIdempotent<T>(call: () => Promise<T>, policy: ConvergencePolicy = current): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!isTransient(err) || attempt >= policy.attempts) throw err;
      await backoff(attempt, policy);
    }
  }
}

/** How a registration ended. */
export type RegistrationOutcome =
  | { kind: "registered"; device: ApiSigfoxDevice; attempts: number }
  /** Already in this operator's account (an earlier attempt or run registered it, or it was there before). */
  | { kind: "adopted"; device: ApiSigfoxDevice; attempts: number; registerError: unknown };

/** Why a registration did not end in a device of this operator; the caller words the message. */
export class RegistrationFailure extends Error {
  constructor(
    /** `refused`: the API answered (wrong PAC, another operator...); `terminated`: the device is terminated in this account;
     *  `budget`: transient faults every time; `unverified`: the last attempt's outcome could not be read back. */
    readonly kind: "refused" | "terminated" | "budget" | "unverified",
    readonly registerError: unknown,
    readonly attempts: number,
    readonly device?: ApiSigfoxDevice,
    readonly readError?: unknown,
  ) {
    super(kind);
  }
}

/** A device that counts as registered to this operator (anything but its stock or a terminated one). */
function isRegistered(device: ApiSigfoxDevice): boolean {
  return device.status !== "instock" && device.status !== "terminated";
}

/**
 * Registers the device, converging under faults. After a failed `register`:
 * - configuration, auth or abort: rethrown at once (nothing to converge);
 * - any other failure: the device is read ({@link lookupDevice}). Registered to this operator →
 *   adopted (this covers a 409 on a retry, and a commit whose response was lost). Terminated →
 *   `terminated`. Not there (404) or still in the operator's stock → the attempt did not take effect:
 *   after a transient failure, registered again with backoff; after a definite answer (400 wrong PAC,
 *   404 unknown device, 409 another operator), `refused`.
 * A transient failure of the read itself is retried like the registration, within the same budget;
 * `register` is never sent again without a read that proved the previous attempt did not take effect.
 */
export async function registerConverging(
  api: DeviceApi,
  deviceId: string,
  register: () => Promise<ApiSigfoxDevice>,
  policy: ConvergencePolicy = current,
): Promise<RegistrationOutcome> {
  let attempt = 0;
  for (;;) {
    attempt++;
    let registerError: unknown;
    try {
      return { kind: "registered", device: await register(), attempts: attempt };
    } catch (e) {
      registerError = e;
    }
    const code = errorCode(registerError);
    if (code === "config" || code === "auth" || code === "aborted") throw registerError;

    // Read until the outcome is known (or the budget is spent): the only proof that allows a new attempt.
    let existing: ApiSigfoxDevice | undefined;
    for (let read = 1; ; read++) {
      try {
        existing = await lookupDevice(api, deviceId);
        break;
      } catch (readError) {
        if (!isTransient(readError) || attempt + read > policy.attempts) {
          throw new RegistrationFailure("unverified", registerError, attempt, undefined, readError);
        }
        await backoff(read, policy);
      }
    }
    if (existing && isRegistered(existing)) return { kind: "adopted", device: existing, attempts: attempt, registerError };
    if (existing?.status === "terminated") throw new RegistrationFailure("terminated", registerError, attempt, existing);
    if (!isTransient(registerError)) throw new RegistrationFailure("refused", registerError, attempt, existing);
    if (attempt >= policy.attempts) throw new RegistrationFailure("budget", registerError, attempt, existing);
    await backoff(attempt, policy);
  }
}
