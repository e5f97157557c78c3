/**
 * Helpers of the provider tests that run the provider's methods against the emulator (no engine):
 * fresh network devices, API calls since the last clear, checked inputs as the host passes them.
 */
import { expect } from "vitest";
import type { RunningEmulator } from "../../src/emulator";
import { sigfoxDevice } from "../../src/provider";
import { apiCallsWithoutAuth } from "../helpers/common";

/** Stands in for the serialized shim the host passes as `__provider`. */
export const PROVIDER_TEXT = "exports.handler = () => shim; // stands in for the serialized shim";

export function providerKit(emulator: () => RunningEmulator, idBase: number) {
  let seq = 0;
  return {
    /** A fresh network device (unregistered) with a random PAC. */
    async networkDevice(): Promise<{ deviceId: string; pac: string }> {
      const deviceId = (idBase + ++seq * 17 + Math.floor(Math.random() * 1000)).toString(16).toUpperCase();
      const pac = Array.from({ length: 16 }, () => "0123456789ABCDEF"[Math.floor(Math.random() * 16)]).join("");
      await emulator().control.seed({ devices: [{ deviceId, pac }] });
      return { deviceId, pac };
    },
    /** API calls since the last clear, without `auth`. */
    calls(): Promise<Record<string, number>> {
      return apiCallsWithoutAuth(emulator());
    },
    /** `check`ed inputs (no failures) plus `__provider`, as create/update receive them. */
    async checked(news: Record<string, unknown>): Promise<Record<string, unknown>> {
      const r = await sigfoxDevice.check({}, news);
      expect(r.failures).toEqual([]);
      return { ...(r.inputs as Record<string, unknown>), __provider: PROVIDER_TEXT };
    },
  };
}
