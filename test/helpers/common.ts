/**
 * The concepts many tests share, in one place: the permanent type token, the stack configuration that
 * points the provider at an emulator, API call counts without `/auth`, "expect a rejection", and a
 * setup that fails the tests instead of skipping them, an emulator clock that stands still.
 */
import { beforeAll, beforeEach } from "vitest";
import type { SoracomApiError } from "../../src/client";
import { Clock, emulatorClientEnv, type RunningEmulator } from "../../src/emulator";

/**
 * An emulator clock that stands still unless advanced: uplinks sent back to back then fall in the same
 * millisecond every time, as they do by chance on a fast machine.
 */
export class StoppedClock extends Clock {
  private readonly stoppedAt = Date.now();
  override now(): number {
    return this.stoppedAt + this.offset;
  }
}

/** The type token of SigfoxDevice in every stack, forever (the provider is found by it). */
export const SIGFOX_DEVICE_TYPE = "pulumi-nodejs:dynamic/soracom:SigfoxDevice";

/** The environment that points a client, a provider or a CLI at an emulator (src/emulator/server.ts). */
export { emulatorClientEnv };

/** The provider's stack configuration for `emu` (endpoint and its default auth key), plus `extra` keys. */
export function emulatorProviderConfig(emu: Pick<RunningEmulator, "url" | "credentials">, extra: Record<string, string> = {}): Record<string, string> {
  return {
    "soracom:endpoint": emu.url,
    "soracom:authKeyId": emu.credentials.authKeyId,
    "soracom:authKey": emu.credentials.authKey,
    ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k.includes(":") ? k : `soracom:${k}`, v])),
  };
}

/** The same configuration as an Automation API config map (the auth key marked secret). */
export function emulatorStackConfig(
  emu: Pick<RunningEmulator, "url" | "credentials">,
  extra: Record<string, string> = {},
): Record<string, { value: string; secret?: boolean }> {
  return Object.fromEntries(
    Object.entries(emulatorProviderConfig(emu, extra)).map(([k, value]) => [k, k === "soracom:authKey" ? { value, secret: true } : { value }]),
  );
}

/**
 * Per-operation API calls the emulator counted since its request log was last cleared, without
 * `auth`: every client and provider process authenticates once, which says nothing about the work.
 */
export async function apiCallsWithoutAuth(emu: Pick<RunningEmulator, "control">): Promise<Record<string, number>> {
  const { auth: _auth, ...calls } = (await emu.control.calls()) as Record<string, number>;
  return calls;
}

/** Awaits `p` and returns what it rejected with; fails the test if it resolved. */
export async function rejection<E = SoracomApiError>(p: Promise<unknown>): Promise<E> {
  try {
    await p;
  } catch (e) {
    return e as E;
  }
  throw new Error("expected a rejection, but the promise resolved");
}

/**
 * `beforeAll(setup)` whose failure FAILS every test of the enclosing describe (or file): vitest skips
 * the tests of a failing beforeAll, so the error is kept and rethrown before each test.
 */
export function setupOrFailEach(setup: () => Promise<unknown>, timeout: number): void {
  let setupError: unknown;
  beforeAll(async () => {
    try {
      await setup();
    } catch (e) {
      setupError = e;
    }
  }, timeout);
  beforeEach(() => {
    if (setupError) throw setupError;
  });
}
