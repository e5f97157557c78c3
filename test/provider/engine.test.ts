/**
 * SigfoxDevice against the REAL Pulumi engine (Automation API, file:// backend, real CLI) and the
 * emulator, as ordered acceptance steps (test/helpers/engine.ts `runStep`): every step is data (the
 * program, the operation, the exact changes and API calls it causes), and after every apply the
 * harness proves an empty refreshing plan; a step expected to fail states the error it must name.
 *
 * Needs `PULUMI_CLI_DIR` (set by scripts/run.sh) and a build (`tsc -p tsconfig.build.json`): without
 * them the test FAILS, it never skips. Credentials and the endpoint reach the provider through the
 * stack configuration (`soracom:*`, the auth key as a secret), proving `configure()`.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type * as automation from "@pulumi/pulumi/automation";
import { afterAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../src/emulator";
import { emulatorStackConfig, setupOrFailEach, SIGFOX_DEVICE_TYPE } from "../helpers/common";
import {
  createTestStack,
  type DeviceSpec,
  deviceProgram,
  deviceSteps,
  runSteps,
  type Step,
  type StepHarness,
  type StepOutcome,
  type TestStack,
} from "../helpers/engine";

const STEP_TIMEOUT = 240_000;
const GROUP_A = "11111111-1111-4111-8111-111111111111";
const GROUP_B = "22222222-2222-4222-8222-222222222222";
const D1 = { deviceId: "1A2B3C4D", pac: "0123456789ABCDEF" };
const D2 = { deviceId: "2C", pac: "FEDCBA9876543210" };
const D3 = { deviceId: "FFEE01", pac: "A1B2C3D4E5F60718" };
const BAD_PAC = "NOTAPAC-XYZ";
/** A well-formed PAC that is not D1's: changing dev1's PAC to it alone must be no change at all. */
const D1_NEW_PAC = "00112233445566AA";
/** A well-formed PAC that is not D2's: a later registration of dev2 must use it (and fail). */
const D2_WRONG_PAC = "BBCCDDEEFF001122";

type Args = Record<string, unknown>;
const spec: { devices: DeviceSpec } = { devices: {} };

let emu: RunningEmulator;
let h: TestStack;
let steps: StepHarness<DeviceSpec>;
let pacDir: string;
/** Files the backend and the workspace held along the way (secrets must be ciphertext in all of them). */
const snapshots: string[] = [];
/** The PAC dev1's immediate deletion released (step 10). */
let releasedPac = "";
/** Messages (CLI stderr included) of the operations that failed. */
const errorTexts: string[] = [];
/** stdout and stderr of every operation that succeeded (the Automation API results). */
const resultTexts: string[] = [];

async function live(deviceId: string) {
  const d = (await emu.control.state()).devices.find((x) => x.deviceId.toUpperCase() === deviceId.toUpperCase());
  if (!d) throw new Error(`device ${deviceId} not in the emulator`);
  return d;
}
/** The device resources in the exported state, by name; keeps what the backend holds for the secrets check. */
async function stateUrns(): Promise<string[]> {
  const text = await h.exportState();
  snapshots.push(h.persistedText());
  const state = JSON.parse(text) as { resources?: { urn: string; type: string }[] };
  return (state.resources ?? [])
    .filter((r) => r.type === SIGFOX_DEVICE_TYPE)
    .map((r) => r.urn.split("::").pop()!)
    .sort();
}
/** Names of the top-level inputs that differ between old and new of each device's outputs event, by op. */
function stepDiffs(events: automation.EngineEvent[]): Record<string, { op: string; changed: string[] }> {
  const out: Record<string, { op: string; changed: string[] }> = {};
  for (const e of events) {
    const m = e.resOutputsEvent?.metadata;
    if (m?.type !== SIGFOX_DEVICE_TYPE) continue;
    const oldIn = (m.old?.inputs ?? {}) as Record<string, unknown>;
    const newIn = (m.new?.inputs ?? {}) as Record<string, unknown>;
    const keys = new Set([...Object.keys(oldIn), ...Object.keys(newIn)]);
    const changed = [...keys].filter((k) => JSON.stringify(oldIn[k]) !== JSON.stringify(newIn[k])).sort();
    out[m.urn.split("::").pop()!] = { op: m.op, changed };
  }
  return out;
}
/** The ops of the devices an operation touched, other than `same` (and `refresh`, a refresh's read). */
function changedOps(o: StepOutcome, alsoIgnore: string[] = []): string[] {
  return Object.values(stepDiffs(o.events))
    .map((d) => d.op)
    .filter((op) => op !== "same" && !alsoIgnore.includes(op));
}
/** Plain and refreshing previews that find nothing to do (the first reads nothing). */
function emptyPreviews(name: string, devices: number): Step<DeviceSpec>[] {
  const unchanged = { same: devices + 1 };
  return [
    { name: `${name}: preview`, operation: "preview", expectChanges: unchanged, expectCalls: {}, check: (o) => expect(changedOps(o, ["refresh"])).toEqual([]) },
    {
      name: `${name}: refresh --preview-only`,
      operation: "previewRefresh",
      expectChanges: unchanged,
      expectCalls: { getSigfoxDevice: devices },
      check: (o) => expect(changedOps(o, ["refresh"])).toEqual([]),
    },
  ];
}

// The programs of the steps, in order.
const dev1 = { deviceId: D1.deviceId, registrationSecret: D1.pac, tags: { site: "tokyo", floor: "2" }, groupId: GROUP_A };
const dev2 = { deviceId: D2.deviceId, registrationSecret: D2.pac, tags: { site: "osaka" } };
const dev1NewPac = { ...dev1, registrationSecret: D1_NEW_PAC };
const dev1Changed = { ...dev1NewPac, tags: { site: "tokyo", rack: "7" }, groupId: undefined, terminationEnabled: true, deleteImmediately: true };
const dev3 = { deviceId: D3.deviceId, registrationSecret: D3.pac, tags: { site: "nagoya" }, groupId: GROUP_A, terminationEnabled: true };
const withDev3 = { dev1: dev1Changed, dev2, dev3 };

setupOrFailEach(async () => {
  emu = await startEmulator({
    seed: {
      groups: [{ groupId: GROUP_A }, { groupId: GROUP_B }],
      devices: [D1, D2, D3].map((d) => ({ deviceId: d.deviceId, pac: d.pac })),
    },
  });
  pacDir = fs.mkdtempSync(path.join(os.tmpdir(), "sigfox-released-pacs-"));
  h = await createTestStack({
    program: deviceProgram(spec),
    projectName: "sigfox-device-engine",
    config: emulatorStackConfig(emu, { releasedPacDir: pacDir }),
  });
  // Keep the stdout/stderr of every operation, and the text of every failure, for the secrets check (step 11).
  for (const op of ["up", "preview", "previewRefresh", "refresh", "destroy"] as const) {
    const run = h[op] as (opts?: unknown) => Promise<{ stdout: string; stderr: string }>;
    (h as unknown as Record<string, unknown>)[op] = async (opts?: unknown) => {
      try {
        const result = await run(opts);
        resultTexts.push(result.stdout, result.stderr);
        return result;
      } catch (e) {
        errorTexts.push(String((e as Error).message), String((e as { stderr?: string }).stderr ?? ""));
        throw e;
      }
    };
  }
  steps = deviceSteps(h, spec, emu);
}, STEP_TIMEOUT);

afterAll(async () => {
  await h?.cleanup();
  await emu?.close();
  if (pacDir) fs.rmSync(pacDir, { recursive: true, force: true });
});

describe("SigfoxDevice on the real engine", () => {
  it(
    "1. up registers the devices (tags in the same call) and the emulator has them",
    () =>
      runSteps(steps, [
        {
          name: "up",
          program: { dev1, dev2 },
          expectChanges: { create: 3 },
          expectCalls: { registerSigfoxDevice: 2, setSigfoxDeviceGroup: 1 },
          check: async (o) => {
            expect(await live(D1.deviceId)).toMatchObject({
              ownerOperatorId: emu.credentials.operatorId,
              status: "ready",
              tags: { site: "tokyo", floor: "2" },
              groupId: GROUP_A,
              terminationEnabled: false,
            });
            expect(await live(D2.deviceId)).toMatchObject({
              ownerOperatorId: emu.credentials.operatorId,
              status: "ready",
              tags: { site: "osaka" },
              groupId: null,
              terminationEnabled: false,
            });
            expect((o.result as automation.UpResult).outputs.dev1?.value).toMatchObject({
              id: D1.deviceId,
              status: "ready",
              groupId: GROUP_A,
              terminationEnabled: false,
            });
            expect(await stateUrns()).toEqual(["dev1", "dev2"]);
          },
        },
      ]),
    STEP_TIMEOUT,
  );

  it("2. preview and preview --refresh report no changes; preview makes no API call", () => runSteps(steps, emptyPreviews("no drift", 2)), STEP_TIMEOUT);

  it(
    "2b. a PAC change alone is no change: no diff, no update, no API call",
    () =>
      runSteps(steps, [
        {
          name: "preview of the new PAC",
          program: { dev1: dev1NewPac, dev2 },
          operation: "preview",
          expectChanges: { same: 3 },
          expectCalls: {},
          check: (o) => expect(changedOps(o)).not.toContain("update"),
        },
        {
          name: "up with the new PAC",
          expectChanges: { same: 3 },
          expectCalls: {},
          check: async (o) => {
            expect(changedOps(o)).not.toContain("update");
            // The device is untouched (the API never reports a PAC; its state is as registered).
            expect(await live(D1.deviceId)).toMatchObject({ pac: D1.pac, status: "ready", tags: { site: "tokyo", floor: "2" }, groupId: GROUP_A });
          },
        },
      ]),
    STEP_TIMEOUT,
  );

  it(
    "3. bad inputs fail at preview, per property with a fix, with no API call and no PAC echoed",
    () =>
      runSteps(steps, [
        {
          name: "preview of bad inputs",
          program: { dev1: dev1NewPac, dev2, bad: { deviceId: "XYZ", registrationSecret: BAD_PAC, groupId: "group-1", tags: { "": "x" } } },
          operation: "preview",
          expectError: [
            /deviceId must be 1 to 8 hexadecimal digits/,
            /registrationSecret \(the PAC\) must be exactly 16 hexadecimal characters/,
            /groupId must be a Soracom group ID/,
            /tag names must not be empty/,
          ],
          expectCalls: {},
          check: (o) => expect(`${o.error!.message}\n${o.output}`).not.toContain(BAD_PAC),
        },
      ]),
    STEP_TIMEOUT,
  );

  it(
    "4. out-of-band changes show as drift on exactly the changed fields of the changed device",
    () =>
      runSteps(steps, [
        {
          name: "refresh --preview-only after an out-of-band change",
          program: { dev1: dev1NewPac, dev2 },
          before: () => emu.control.mutateDevice(D1.deviceId, { tags: { site: "kyoto", floor: "2" }, groupId: GROUP_B, terminationEnabled: true }),
          operation: "previewRefresh",
          expectChanges: { same: 2, update: 1 },
          expectCalls: { getSigfoxDevice: 2 },
          check: (o) => {
            const diffs = Object.entries(stepDiffs(o.events)).filter(([, d]) => d.op !== "same");
            // The engine shows a refresh diff as stored inputs → refreshed inputs. `read` cannot return the PAC
            // (the provider host passes it only the outputs, which never hold it), so a DRIFTED device also
            // lists `-registrationSecret`; the op and the devices come from the provider's diff, which ignores it.
            expect(diffs).toEqual([["dev1", { op: "update", changed: ["groupId", "registrationSecret", "tags", "terminationEnabled"] }]]);
            expect(o.output).toMatch(/SigfoxDevice dev1 update \[diff: -registrationSecret~groupId,tags,terminationEnabled\]/);
            expect(o.output).not.toMatch(/SigfoxDevice dev2 update/);
          },
        },
      ]),
    STEP_TIMEOUT,
  );

  it(
    "5. up --refresh restores the declared state with one call per drifted field",
    () =>
      runSteps(steps, [
        {
          name: "up --refresh",
          refresh: true,
          expectChanges: { update: 1 },
          expectCalls: { getSigfoxDevice: 2, putSigfoxDeviceTags: 1, setSigfoxDeviceGroup: 1, disableTerminationOnSigfoxDevice: 1 },
          check: async () =>
            expect(await live(D1.deviceId)).toMatchObject({ tags: { site: "tokyo", floor: "2" }, groupId: GROUP_A, terminationEnabled: false }),
        },
        ...emptyPreviews("restored", 2),
      ]),
    STEP_TIMEOUT,
  );

  it(
    "5b. a plain refresh accepts the drift; preview then shows the update, up restores it, and both previews are empty",
    () =>
      runSteps(steps, [
        {
          name: "refresh after an out-of-band change",
          before: () => emu.control.mutateDevice(D2.deviceId, { tags: { site: "kobe" } }),
          operation: "refresh",
          expectChanges: { update: 1 },
          expectCalls: { getSigfoxDevice: 2 },
        },
        // The stored inputs of the refreshed devices now lack the PAC: refresh previews stay empty.
        { name: "refresh --preview-only", operation: "previewRefresh", expectChanges: { same: 3 }, expectCalls: { getSigfoxDevice: 2 } },
        {
          name: "preview shows the update",
          operation: "preview",
          expectChanges: { same: 2, update: 1 },
          expectCalls: {},
          check: (o) => {
            // The op comes from the provider's diff (tags only); the display compares stored inputs (no PAC
            // after the refresh) with the program's, so it lists the PAC coming back as an input.
            expect(Object.entries(stepDiffs(o.events)).filter(([, d]) => d.op !== "same")).toEqual([
              ["dev2", { op: "update", changed: ["registrationSecret", "tags"] }],
            ]);
            expect(o.output).toMatch(/SigfoxDevice dev2 update \[diff: \+registrationSecret~tags\]/);
          },
        },
        {
          name: "up restores the tags",
          expectChanges: { same: 2, update: 1 },
          expectCalls: { putSigfoxDeviceTags: 1 },
          check: async () => expect(await live(D2.deviceId)).toMatchObject({ tags: { site: "osaka" } }),
        },
        ...emptyPreviews("restored", 2),
      ]),
    STEP_TIMEOUT,
  );

  it(
    "6. program changes make exactly the calls of the delta, and the next preview is empty",
    () =>
      runSteps(steps, [
        {
          name: "up of the changed program",
          program: { dev1: dev1Changed, dev2 },
          expectChanges: { same: 2, update: 1 },
          expectCalls: { deleteSigfoxDeviceTag: 1, putSigfoxDeviceTags: 1, unsetSigfoxDeviceGroup: 1, enableTerminationOnSigfoxDevice: 1 },
          expectRequests: [
            `DELETE /v1/sigfox_devices/${D1.deviceId}/tags/floor`,
            `PUT /v1/sigfox_devices/${D1.deviceId}/tags`,
            `POST /v1/sigfox_devices/${D1.deviceId}/unset_group`,
            `POST /v1/sigfox_devices/${D1.deviceId}/enable_termination`,
          ],
          check: async () => expect(await live(D1.deviceId)).toMatchObject({ tags: { site: "tokyo", rack: "7" }, groupId: null, terminationEnabled: true }),
        },
        { name: "preview", operation: "preview", expectChanges: { same: 3 }, expectCalls: {} },
      ]),
    STEP_TIMEOUT,
  );

  it(
    "7. a failure after registration leaves a recorded resource that the next up completes",
    () =>
      runSteps(steps, [
        {
          name: "up while setting the group fails",
          program: withDev3,
          // More failures than the provider's per-device retries (6 attempts of up to 4 client calls each).
          before: () => emu.control.injectFault({ operation: "setSigfoxDeviceGroup", status: 500, count: 100 }),
          expectError: new RegExp(`SigfoxDevice ${D3.deviceId}: registered, but setting the group to ${GROUP_A} failed.*run \`pulumi up\` again`),
          // The retries of the group call depend on the client's retry budget (time): read from the requests.
          check: async (o) => {
            await emu.control.clearFaults();
            expect(o.requests!.filter((r) => r.endsWith("/register"))).toEqual([`POST /v1/sigfox_devices/${D3.deviceId}/register`]);
            // Recorded in the stack, registered in the emulator, not orphaned.
            expect(await stateUrns()).toEqual(["dev1", "dev2", "dev3"]);
            expect(await live(D3.deviceId)).toMatchObject({
              ownerOperatorId: emu.credentials.operatorId,
              status: "ready",
              tags: { site: "nagoya" },
              groupId: null,
              terminationEnabled: false,
            });
          },
        },
        {
          name: "up completes it",
          expectChanges: { update: 1 },
          expectCalls: { setSigfoxDeviceGroup: 1, enableTerminationOnSigfoxDevice: 1 },
          check: async () => expect(await live(D3.deviceId)).toMatchObject({ groupId: GROUP_A, terminationEnabled: true }),
        },
        { name: "preview", operation: "preview", expectChanges: { same: 4 }, expectCalls: {} },
      ]),
    STEP_TIMEOUT,
  );

  it(
    "8. a device deleted out of band is dropped by refresh and re-created by up, with the program's current PAC",
    () =>
      runSteps(steps, [
        // A PAC change on an existing device is no change (2b): nothing is called, nothing recorded.
        {
          name: "preview of dev2's wrong PAC",
          program: { ...withDev3, dev2: { ...dev2, registrationSecret: D2_WRONG_PAC } },
          operation: "preview",
          expectChanges: { same: 4 },
          expectCalls: {},
        },
        {
          name: "refresh after dev2 left the account",
          // Out of band the device leaves the account and returns to the network registry with its PAC.
          before: () => emu.control.removeDevice(D2.deviceId),
          operation: "refresh",
          expectChanges: { delete: 1 },
          expectCalls: { getSigfoxDevice: 3 },
          check: async () => expect(await stateUrns()).toEqual(["dev1", "dev3"]),
        },
        {
          // The registration uses the program's PAC of now: the wrong one fails, nothing is recorded.
          name: "up registers dev2 with the wrong PAC",
          expectError: new RegExp(`SigfoxDevice ${D2.deviceId}: registration failed: .*Invalid PAC`),
          check: async (o) => {
            expect(o.requests!.filter((r) => r.endsWith("/register"))).toEqual([`POST /v1/sigfox_devices/${D2.deviceId}/register`]);
            expect(await stateUrns()).toEqual(["dev1", "dev3"]);
          },
        },
        {
          name: "up registers dev2 with its PAC",
          program: withDev3,
          expectChanges: { create: 1 },
          expectCalls: { registerSigfoxDevice: 1 },
          check: async () => {
            expect(await live(D2.deviceId)).toMatchObject({ ownerOperatorId: emu.credentials.operatorId, status: "ready", tags: { site: "osaka" } });
            expect(await stateUrns()).toEqual(["dev1", "dev2", "dev3"]);
          },
        },
      ]),
    STEP_TIMEOUT,
  );

  it(
    "9. destroy with termination protection on fails cleanly, with no API call, and leaves the devices",
    () =>
      runSteps(steps, [
        {
          name: "up turns protection on for dev1 and dev3",
          program: { dev1: { ...dev1Changed, terminationEnabled: false }, dev2, dev3: { ...dev3, terminationEnabled: false } },
          expectChanges: { update: 2 },
          expectCalls: { disableTerminationOnSigfoxDevice: 2 },
        },
        {
          name: "destroy",
          operation: "destroy",
          expectError:
            /refusing to terminate: termination protection is on \(terminationEnabled is false\)\. Nothing was sent to the API for this device.* set terminationEnabled: true on it, run `pulumi up`/,
          expectCalls: {},
          check: async () => {
            expect(await stateUrns()).toEqual(["dev1", "dev2", "dev3"]);
            for (const d of [D1, D2, D3]) expect(await live(d.deviceId)).toMatchObject({ ownerOperatorId: emu.credentials.operatorId, status: "ready" });
          },
        },
      ]),
    STEP_TIMEOUT,
  );

  it(
    "10. with protection off, destroy terminates every device; the emulator confirms none is left",
    () =>
      runSteps(steps, [
        {
          name: "up turns protection off",
          program: { dev1: dev1Changed, dev2: { ...dev2, terminationEnabled: true }, dev3 },
          expectChanges: { update: 3 },
          expectCalls: { enableTerminationOnSigfoxDevice: 3 },
        },
        {
          name: "destroy",
          operation: "destroy",
          expectChanges: { delete: 4 },
          expectCalls: { terminateSigfoxDevice: 3 },
          check: async (o) => {
            expect(await stateUrns()).toEqual([]);
            // dev1 was deleted immediately: back in the network registry, its new PAC in a private file.
            const d1 = await live(D1.deviceId);
            expect(d1.ownerOperatorId).toBeNull();
            const file = path.join(pacDir, emu.credentials.operatorId, `${D1.deviceId}.json`);
            expect(fs.statSync(file).mode & 0o777).toBe(0o600);
            expect(JSON.parse(fs.readFileSync(file, "utf8"))).toMatchObject({ deviceId: D1.deviceId, registrationSecret: d1.pac });
            expect(o.output).toContain(file);
            releasedPac = d1.pac; // checked below as a secret: it must appear nowhere
            // The others are terminated, deleted by Soracom 24 h later.
            expect(await live(D2.deviceId)).toMatchObject({ status: "terminated" });
            expect(await live(D3.deviceId)).toMatchObject({ status: "terminated" });
            await emu.control.advanceClock(24 * 3600 + 1);
            const owned = (await emu.control.state()).devices.filter((d) => d.ownerOperatorId === emu.credentials.operatorId);
            expect(owned).toEqual([]);
          },
        },
      ]),
    STEP_TIMEOUT,
  );

  it(
    "11. secrets (auth key, PACs) appear nowhere in plain text: state, engine output, stdout/stderr, every event",
    async () => {
      expect(releasedPac).toMatch(/^[0-9A-F]{16}$/i);
      const secrets = [emu.credentials.authKey, D1.pac, D2.pac, D3.pac, D1_NEW_PAC, D2_WRONG_PAC, releasedPac];
      const states = snapshots.filter((s) => s.includes(SIGFOX_DEVICE_TYPE));
      expect(states.length).toBeGreaterThan(0);
      // Every event, debug diagnostics included. The Node.js SDK logs every RegisterResource response
      // of the program process at debug severity (runtime/resource.js) with the resource's outputs in
      // plain text: they reach the event stream, and carry no PAC because the PAC is never an output.
      const events = h.events;
      expect(events.length).toBeGreaterThan(100);
      const sdkEchoes = events.filter((e) => /^RegisterResource RPC finished: .*SigfoxDevice/.test(e.diagnosticEvent?.message ?? ""));
      expect(sdkEchoes.length).toBeGreaterThan(0);
      expect(sdkEchoes.some((e) => e.diagnosticEvent!.message.includes(D1.deviceId))).toBe(true);
      expect(resultTexts.length).toBeGreaterThan(20);
      expect(errorTexts.length).toBeGreaterThan(0);
      const haystacks = {
        state: [...states, h.persistedText()].join("\n"),
        output: h.output.join("") + errorTexts.join("\n"),
        "stdout/stderr": resultTexts.join("\n"),
        events: JSON.stringify(events),
      };
      for (const [where, text] of Object.entries(haystacks)) {
        for (const [i, s] of secrets.entries()) {
          const at = text.toUpperCase().indexOf(s.toUpperCase());
          // On failure, say which secret (by index) and where, without printing the secret itself.
          const context = at < 0 ? "" : text.slice(Math.max(0, at - 120), at).replace(/\s+/g, " ");
          expect(at, `${where} contains secret #${i} after: ${context}`).toBe(-1);
        }
      }
      // The PAC is a secret input of every device and never an output (the last checkpoint with devices).
      expect(fs.existsSync(h.checkpointFile())).toBe(true);
      const withDevices = (await h.historyCheckpoints()).filter((t) => t.includes(SIGFOX_DEVICE_TYPE));
      expect(withDevices.length).toBeGreaterThan(0);
      const state = (
        JSON.parse(withDevices[withDevices.length - 1]!) as { checkpoint: { latest: { resources: { type: string; inputs: Args; outputs: Args }[] } } }
      ).checkpoint.latest;
      const devices = state.resources.filter((x) => x.type === SIGFOX_DEVICE_TYPE);
      expect(devices.length).toBeGreaterThan(0);
      for (const r of devices) {
        expect(r.inputs.registrationSecret).toHaveProperty("ciphertext");
        expect(r.outputs).not.toHaveProperty("registrationSecret");
      }
    },
    STEP_TIMEOUT,
  );
});

describe("SigfoxDevice on the real engine: unknowns and adoption", () => {
  const D4 = { deviceId: "D4D4", pac: "0A0B0C0D0E0F1011" };
  const D5 = { deviceId: "5E5E", pac: "1112131415161718" };
  const spec2: { devices: DeviceSpec } = { devices: {} };
  let h2: TestStack;
  let steps2: StepHarness<DeviceSpec>;
  const adopted = { deviceId: D4.deviceId, registrationSecret: D4.pac, tags: { keep: "k", site: "sendai" }, terminationEnabled: true };
  /** No PAC in any event of this stack (previews of creates, adoption, replacement), debug included. */
  const noPacIn = (text: string) => {
    for (const pac of [D4.pac, D5.pac]) expect(text.toUpperCase().includes(pac.toUpperCase())).toBe(false);
  };

  setupOrFailEach(async () => {
    await emu.control.seed({
      devices: [
        // Already in the operator's account, in a state that differs from the program.
        {
          deviceId: D4.deviceId,
          pac: D4.pac,
          ownerOperatorId: emu.credentials.operatorId,
          status: "ready",
          tags: { old: "1", keep: "k" },
          groupId: GROUP_B,
          terminationEnabled: true,
        },
        { deviceId: D5.deviceId, pac: D5.pac },
      ],
    });
    h2 = await createTestStack({ program: deviceProgram(spec2), projectName: "sigfox-device-adopt", config: emulatorStackConfig(emu) });
    steps2 = deviceSteps(h2, spec2, emu);
  }, STEP_TIMEOUT);
  afterAll(async () => h2?.cleanup());

  it(
    "preview accepts inputs that are not known yet (outputs of resources to be created), with no API call",
    () =>
      runSteps(steps2, [
        {
          name: "preview",
          program: {
            first: { deviceId: D5.deviceId, registrationSecret: D5.pac },
            second: (declared) => ({
              deviceId: D4.deviceId,
              registrationSecret: D4.pac,
              tags: { partnerStatus: declared.first!.status, partner: declared.first!.id },
            }),
          },
          operation: "preview",
          expectChanges: { create: 3 },
          expectCalls: {},
          check: (o) => {
            // A previewed create's planned outputs are its inputs (the dynamic host has no provider preview),
            // echoed by the SDK's debug log: the resource class makes a well-formed PAC unknown in previews.
            const echoes = o.events.filter((e) => /^RegisterResource RPC finished: .*SigfoxDevice/.test(e.diagnosticEvent?.message ?? ""));
            expect(echoes.length).toBe(2);
            expect(echoes.every((e) => e.diagnosticEvent!.message.includes("registrationSecret"))).toBe(true);
            const preview = o.result as automation.PreviewResult;
            noPacIn(JSON.stringify(h2.events) + preview.stdout + preview.stderr);
          },
        },
      ]),
    STEP_TIMEOUT,
  );

  it(
    "an existing device of the operator declared in the program is adopted and converged",
    () =>
      runSteps(steps2, [
        {
          name: "up adopts it",
          program: { adopted },
          expectChanges: { create: 2 },
          expectCalls: { registerSigfoxDevice: 1, getSigfoxDevice: 1, deleteSigfoxDeviceTag: 1, putSigfoxDeviceTags: 1, unsetSigfoxDeviceGroup: 1 },
          check: async (o) => {
            expect(o.output).toMatch(new RegExp(`SigfoxDevice ${D4.deviceId}: already registered to this operator .*adopted it`));
            expect(await live(D4.deviceId)).toMatchObject({ tags: { keep: "k", site: "sendai" }, groupId: null, terminationEnabled: true, status: "ready" });
          },
        },
        { name: "preview", operation: "preview", expectChanges: { same: 2 }, expectCalls: {} },
      ]),
    STEP_TIMEOUT,
  );

  it(
    "a new device ID replaces the resource: the old device is terminated before the new one is registered",
    () =>
      runSteps(steps2, [
        {
          name: "up with the new device ID",
          program: { adopted: { ...adopted, deviceId: D5.deviceId, registrationSecret: D5.pac } },
          expectChanges: { replace: 1 },
          expectCalls: { terminateSigfoxDevice: 1, registerSigfoxDevice: 1, enableTerminationOnSigfoxDevice: 1 },
          expectRequests: [
            `POST /v1/sigfox_devices/${D4.deviceId}/terminate`,
            `POST /v1/sigfox_devices/${D5.deviceId}/register`,
            `POST /v1/sigfox_devices/${D5.deviceId}/enable_termination`,
          ],
          check: async () => {
            expect(await live(D4.deviceId)).toMatchObject({ status: "terminated" });
            expect(await live(D5.deviceId)).toMatchObject({ status: "ready", tags: { keep: "k", site: "sendai" }, terminationEnabled: true });
          },
        },
        {
          name: "destroy",
          operation: "destroy",
          expectChanges: { delete: 2 },
          expectCalls: { terminateSigfoxDevice: 1 },
          check: async () => {
            expect(await live(D5.deviceId)).toMatchObject({ status: "terminated" });
            noPacIn(JSON.stringify(h2.events) + h2.output.join(""));
          },
        },
      ]),
    STEP_TIMEOUT,
  );
});
