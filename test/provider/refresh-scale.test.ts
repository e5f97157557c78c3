/**
 * The engine's refresh at fleet scale, through the REAL engine (Automation API, Pulumi CLI, the
 * dynamic-provider process) against the emulator: with the provider's device directory
 * (src/provider/device-lookup.ts), a refresh of N devices in an account of A makes at most
 * min(N, ceil(A/100)) + 20 API calls, with exactly the results of one GET per device: the same
 * drifted devices, the same gone devices (deleted or terminated out of band), nothing else.
 *
 * The fleets are deployed the way the bench deploys big fleets: no intermediate checkpoints, a high
 * --parallel (bench/src/harness.ts).
 */
import type * as automation from "@pulumi/pulumi/automation";
import { afterAll, describe, expect, it } from "vitest";
import { benchDevices, fleetDefinition, ownedSeed } from "../../bench/src/fixture";
import { benchWorkRoot, FleetStack, SIGFOX_DEVICE_TYPE } from "../../bench/src/harness";
import { CHECKPOINT_MODES } from "../../bench/src/scenario-engine";

const TIMEOUT = 1_200_000;
const open: FleetStack[] = [];
afterAll(async () => {
  for (const s of open) await s.close();
});

async function deploy(devices: ReturnType<typeof benchDevices>, label: string): Promise<FleetStack> {
  const fleet = await FleetStack.open({ label, devices, engineEnv: CHECKPOINT_MODES.lean!, workRoot: benchWorkRoot() }, fleetDefinition(devices, "1"));
  open.push(fleet);
  const up = await fleet.step("create", (s) => s.up({ parallel: 64 }), false);
  expect(up.calls.registerSigfoxDevice).toBe(devices.length);
  return fleet;
}

/** Device names by the op the refresh reported for them (ops other than same/refresh). */
function plannedOps(events: automation.EngineEvent[]): Record<string, string[]> {
  const byOp: Record<string, string[]> = {};
  for (const e of events) {
    const m = e.resOutputsEvent?.metadata;
    if (!m || m.type !== SIGFOX_DEVICE_TYPE || m.op === "same" || m.op === "refresh") continue;
    (byOp[m.op] ??= []).push(m.urn.split("::").pop()!);
  }
  for (const names of Object.values(byOp)) names.sort();
  return byOp;
}

describe("engine refresh at fleet scale (device directory)", () => {
  it(
    "1,000 devices in an account of 1,500: at most min(N, ceil(A/100)) + 20 calls, and exactly the drifted and gone devices",
    async () => {
      const N = 1000;
      const devices = benchDevices(N);
      const fleet = await deploy(devices, "refresh-scale-1000");
      const others = benchDevices(500, "C");
      await fleet.emulator.control.seed(ownedSeed(others, fleet.emulator.credentials.operatorId));
      const A = N + others.length;

      const ids = devices.map((d) => d.deviceId);
      // Out of band, spread over the listing: 12 devices drift, 5 leave the account, 3 are terminated.
      const drifted = ids.filter((_, i) => i % 83 === 1);
      const deleted = ids.filter((_, i) => i % 197 === 7);
      const terminated = ids.filter((_, i) => i % 331 === 11);
      expect(new Set([...drifted, ...deleted, ...terminated]).size).toBe(drifted.length + deleted.length + terminated.length);
      for (const id of drifted) await fleet.emulator.control.mutateDevice(id, { tags: { project: "bench", rev: "1", site: "moved-by-hand" } });
      for (const id of deleted) await fleet.emulator.control.removeDevice(id);
      for (const id of terminated) await fleet.emulator.control.mutateDevice(id, { status: "terminated" });

      const events: automation.EngineEvent[] = [];
      const refresh = await fleet.step("refresh --preview-only", (s) => s.previewRefresh({ parallel: 64, onEvent: (e) => events.push(e) }), false);
      const bound = Math.min(N, Math.ceil(A / 100)) + 20;
      expect(refresh.apiCalls, JSON.stringify(refresh.calls)).toBeLessThanOrEqual(bound);
      // Every device gone from the listing was confirmed by a GET before it was reported gone.
      expect(refresh.calls.getSigfoxDevice ?? 0).toBeGreaterThanOrEqual(deleted.length);

      const ops = plannedOps(events);
      expect(ops.update ?? []).toEqual([...drifted].sort());
      expect(ops.delete ?? []).toEqual([...deleted, ...terminated].sort());
      expect(Object.keys(ops).sort()).toEqual(["delete", "update"]);

      // `preview --refresh` (the program runs too): the same reads, the same bound; the program then
      // plans to restore the drifted devices and to register the gone ones again.
      const planEvents: automation.EngineEvent[] = [];
      const preview = await fleet.step("preview --refresh", (s) => s.preview({ refresh: true, parallel: 64, onEvent: (e) => planEvents.push(e) }), false);
      expect(preview.apiCalls, JSON.stringify(preview.calls)).toBeLessThanOrEqual(bound);
      const planned: Record<string, string[]> = {};
      for (const e of planEvents) {
        const m = e.resourcePreEvent?.metadata;
        if (!m || m.type !== SIGFOX_DEVICE_TYPE || m.op === "same" || m.op === "refresh") continue;
        (planned[m.op] ??= []).push(m.urn.split("::").pop()!);
      }
      expect((planned.update ?? []).sort()).toEqual([...drifted].sort());
      expect((planned.create ?? []).sort()).toEqual([...deleted, ...terminated].sort());
    },
    TIMEOUT,
  );

  it(
    "5 devices in an account of 3,000: at most N + 20 calls, never the whole listing",
    async () => {
      const devices = benchDevices(5);
      const fleet = await deploy(devices, "refresh-scale-small");
      const others = benchDevices(2995, "C");
      await fleet.emulator.control.seed(ownedSeed(others, fleet.emulator.credentials.operatorId));
      await fleet.emulator.control.mutateDevice(devices[2]!.deviceId, { tags: { project: "bench", rev: "1", site: "moved-by-hand" } });
      await fleet.emulator.control.removeDevice(devices[4]!.deviceId);

      const events: automation.EngineEvent[] = [];
      const refresh = await fleet.step("refresh --preview-only", (s) => s.previewRefresh({ onEvent: (e) => events.push(e) }), false);
      expect(refresh.apiCalls, JSON.stringify(refresh.calls)).toBeLessThanOrEqual(devices.length + 20);
      expect(refresh.calls.listSigfoxDevices ?? 0).toBeLessThan(Math.ceil(3000 / 100));
      expect(plannedOps(events)).toEqual({ update: [devices[2]!.deviceId], delete: [devices[4]!.deviceId] });
    },
    TIMEOUT,
  );
});
