/**
 * The adoption round trip at fleet scale, on the REAL engine and the emulator: an account of A = 350
 * devices (320 registered to the operator in various states, 30 terminated) → `soracom-sigfox import`
 * → `pulumi up` of the default fleet program adopts all N = 320 with NO write call (no register, tag,
 * group or flag call) and at most min(N, ceil(A/100)) + 20 read calls → `pulumi preview --refresh`
 * with expectNoChanges passes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importFleet } from "../../src/cli/commands/import";
import { startEmulator, type RunningEmulator } from "../../src/emulator";
import { apiCallsWithoutAuth, emulatorStackConfig } from "../helpers/common";
import { createTestStack, fleetFileProgram, type TestStack } from "../helpers/engine";
import { fixtureDir } from "./helpers";

const STEP_TIMEOUT = 900_000;
const N = 320;
const TERMINATED = 30;
const A = N + TERMINATED;
const READ_BOUND = Math.min(N, Math.ceil(A / 100)) + 20;
const GROUPS = ["55555555-5555-4555-8555-555555555551", "55555555-5555-4555-8555-555555555552"];
const READ_OPERATIONS = ["getSigfoxDevice", "listSigfoxDevices"];

let emu: RunningEmulator;
let h: TestStack;
const dir = fixtureDir({});
const fleetFile = path.join(dir, "fleet.yaml");
/** API calls of `pulumi up` (step 2), for the read bound (step 3). */
let upCalls: Record<string, number> = {};

const apiCalls = () => apiCallsWithoutAuth(emu);
const writesOf = (calls: Record<string, number>) => Object.fromEntries(Object.entries(calls).filter(([op]) => !READ_OPERATIONS.includes(op)));
const readsOf = (calls: Record<string, number>) => READ_OPERATIONS.reduce((sum, op) => sum + (calls[op] ?? 0), 0);

/** Device i of the account: mostly alike (so defaults apply), with every kind of difference. */
function accountDevice(i: number, operatorId: string) {
  const tags: Record<string, string> = { site: `site-${i % 7}` };
  if (i % 50 !== 0) tags.project = "adoption"; // some lack the default tag
  if (i % 9 === 0) tags.note = `n${i}`;
  return {
    deviceId: (0xa00000 + i * 3).toString(16).toUpperCase(),
    ownerOperatorId: operatorId,
    status: i >= N ? ("terminated" as const) : i % 2 === 0 ? ("active" as const) : ("ready" as const),
    tags,
    ...(i % 13 === 0 ? {} : { groupId: GROUPS[i % 5 === 0 ? 1 : 0]! }),
    terminationEnabled: i % 10 === 0,
  };
}

beforeAll(async () => {
  emu = await startEmulator({ seed: { groups: GROUPS.map((groupId) => ({ groupId })) } });
  await emu.control.seed({ devices: Array.from({ length: A }, (_, i) => accountDevice(i, emu.credentials.operatorId)) });
  h = await createTestStack({
    program: fleetFileProgram(fleetFile),
    projectName: "sigfox-import-adopt",
    config: emulatorStackConfig(emu),
  });
}, STEP_TIMEOUT);

afterAll(async () => {
  await h?.cleanup();
  await emu?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe(`import → up → preview --refresh, ${N} devices in an account of ${A}`, () => {
  it(
    "1. import writes an adopt-only fleet of every non-terminated device with list calls only",
    async () => {
      await emu.control.clearRequests();
      const env = { SORACOM_ENDPOINT: emu.url, SORACOM_AUTH_KEY_ID: emu.credentials.authKeyId, SORACOM_AUTH_KEY: emu.credentials.authKey };
      const out: string[] = [];
      const code = await importFleet(["--output", fleetFile, "--format", "json"], { stdout: (t) => out.push(t), stderr: () => undefined, env, cwd: dir });
      expect(code).toBe(0);
      expect(JSON.parse(out.join(""))).toMatchObject({ devices: N, listed: A });
      expect(await apiCalls()).toEqual({ listSigfoxDevices: Math.ceil(A / 100) });
    },
    STEP_TIMEOUT,
  );

  it(
    "2. pulumi up adopts every device with NO write call",
    async () => {
      await emu.control.clearRequests();
      const up = await h.up();
      upCalls = await apiCalls();
      expect(up.summary.resourceChanges).toEqual({ create: N + 2 }); // the stack, the fleet, N devices
      expect(writesOf(upCalls)).toEqual({});
      expect(up.outputs.deviceCount?.value).toBe(N);
      const live = (await emu.control.state()).devices.filter((d) => d.status !== "terminated");
      const summary = up.outputs.devices?.value as Record<string, { tags: Record<string, string>; groupId: string | null; terminationEnabled: boolean }>;
      for (const d of live) expect(summary[d.deviceId]).toMatchObject({ tags: d.tags, groupId: d.groupId, terminationEnabled: d.terminationEnabled });
    },
    STEP_TIMEOUT,
  );

  it(`3. pulumi up read the account with at most min(N, ceil(A/100)) + 20 = ${READ_BOUND} read calls`, () => {
    expect(readsOf(upCalls), JSON.stringify(upCalls)).toBeLessThanOrEqual(READ_BOUND);
  });

  it(
    "4. pulumi preview --refresh --expect-no-changes passes, with no write call",
    async () => {
      await emu.control.clearRequests();
      const preview = await h.preview({ refresh: true, expectNoChanges: true });
      expect(preview.changeSummary).toEqual({ same: N + 2 });
      expect(writesOf(await apiCalls())).toEqual({});
    },
    STEP_TIMEOUT,
  );
});
