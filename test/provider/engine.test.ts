/**
 * SigfoxDevice against the REAL Pulumi engine (Automation API, file:// backend, real CLI) and the
 * emulator, as ordered acceptance steps: every step states the exact API calls it causes.
 *
 * Needs `PULUMI_CLI_DIR` (set by scripts/run.sh) and a build (`tsc -p tsconfig.build.json`): without
 * them the test FAILS, it never skips. Credentials and the endpoint reach the provider through the
 * stack configuration (`soracom:*`, the auth key as a secret), proving `configure()`.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type * as automation from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../src/emulator";
import { createTestStack, repoRoot, requireDist, type TestStack } from "../helpers/engine";

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
const spec: { devices: Record<string, Args> } = { devices: {} };
const { makeProgram } = requireDist(path.join(repoRoot, "test/provider/fixtures/device-program.js")) as {
  makeProgram: (s: typeof spec) => automation.PulumiFn;
};

let emu: RunningEmulator;
let h: TestStack;
let pacDir: string;
/** Exported checkpoints taken along the way (secrets must be ciphertext in all of them). */
const snapshots: string[] = [];
/** The PAC dev1's immediate deletion released (step 10). */
let releasedPac = "";
/** Messages (CLI stderr included) of the operations expected to fail. */
const errorTexts: string[] = [];
/** stdout and stderr of every operation that succeeded (the Automation API results). */
const resultTexts: string[] = [];
/** Runs an operation expected to fail; returns its error, keeping its text for the secrets check. */
async function expectFailure(op: Promise<unknown>): Promise<Error> {
  const err = await op.then(
    () => new Error("expected the operation to fail, it succeeded"),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  errorTexts.push(String((err as Error).message), String((err as { stderr?: string }).stderr ?? ""));
  return err as Error;
}

/** Per-operation API calls since the last reset, without `auth` (every provider process authenticates once). */
async function apiCalls(): Promise<Record<string, number>> {
  const c = { ...(await emu.control.calls()) } as Record<string, number>;
  delete c.auth;
  return c;
}
async function resetCalls(): Promise<void> {
  await emu.control.clearRequests();
}
async function live(deviceId: string) {
  const d = (await emu.control.state()).devices.find((x) => x.deviceId.toUpperCase() === deviceId.toUpperCase());
  if (!d) throw new Error(`device ${deviceId} not in the emulator`);
  return d;
}
/**
 * Every file the file:// backend and the workspace hold (checkpoints, backups, history, stack
 * settings), as text. `exportState()` cannot serve the secrets check: the Automation API exports with
 * `--show-secrets`.
 */
function backendFiles(): string {
  const ws = h.stack.workspace as automation.LocalWorkspace;
  const backend = (ws.envVars.PULUMI_BACKEND_URL ?? "").replace(/^file:\/\//, "");
  const roots = [backend, ws.workDir].filter((d) => d && fs.existsSync(d));
  expect(roots.length).toBe(2);
  const texts: string[] = [];
  const walk = (p: string): void => {
    const st = fs.statSync(p);
    if (st.isDirectory()) for (const e of fs.readdirSync(p)) walk(path.join(p, e));
    else texts.push(fs.readFileSync(p, "latin1"));
  };
  roots.forEach(walk);
  return texts.join("\n");
}
async function stateUrns(): Promise<string[]> {
  const text = await h.exportState();
  snapshots.push(backendFiles());
  const state = JSON.parse(text) as { resources?: { urn: string; type: string }[] };
  return (state.resources ?? [])
    .filter((r) => r.type === "pulumi-nodejs:dynamic/soracom:SigfoxDevice")
    .map((r) => r.urn.split("::").pop()!)
    .sort();
}
/** Output text of the engine since `mark`. */
function outputSince(mark: number): string {
  return h.output.slice(mark).join("");
}
/** Names of the top-level inputs that differ between old and new of each resource's outputs event since `mark`, by op. */
function stepDiffs(mark: number): Record<string, { op: string; changed: string[] }> {
  const out: Record<string, { op: string; changed: string[] }> = {};
  for (const e of h.events.slice(mark)) {
    const m = e.resOutputsEvent?.metadata;
    if (m?.type !== "pulumi-nodejs:dynamic/soracom:SigfoxDevice") continue;
    const oldIn = (m.old?.inputs ?? {}) as Record<string, unknown>;
    const newIn = (m.new?.inputs ?? {}) as Record<string, unknown>;
    const keys = new Set([...Object.keys(oldIn), ...Object.keys(newIn)]);
    const changed = [...keys].filter((k) => JSON.stringify(oldIn[k]) !== JSON.stringify(newIn[k])).sort();
    out[m.urn.split("::").pop()!] = { op: m.op, changed };
  }
  return out;
}

/**
 * A setup failure (no CLI, no build) must FAIL every step, never skip it: vitest skips the tests of a
 * failing beforeAll, so the error is kept and rethrown by beforeEach.
 */
let setupError: unknown;
beforeEach(() => {
  if (setupError) throw setupError;
});

beforeAll(async () => {
  try {
    await setup();
  } catch (e) {
    setupError = e;
  }
}, STEP_TIMEOUT);

async function setup(): Promise<void> {
  const dist = path.join(repoRoot, "dist", "resources", "sigfox-device.js");
  if (!fs.existsSync(dist)) throw new Error(`${dist} is missing: run \`tsc -p tsconfig.build.json\` before the engine tests`);
  emu = await startEmulator({
    seed: {
      groups: [{ groupId: GROUP_A }, { groupId: GROUP_B }],
      devices: [D1, D2, D3].map((d) => ({ deviceId: d.deviceId, pac: d.pac })),
    },
  });
  pacDir = fs.mkdtempSync(path.join(os.tmpdir(), "sigfox-released-pacs-"));
  h = await createTestStack({
    program: makeProgram(spec),
    projectName: "sigfox-device-engine",
    config: {
      "soracom:endpoint": { value: emu.url },
      "soracom:authKeyId": { value: emu.credentials.authKeyId },
      "soracom:authKey": { value: emu.credentials.authKey, secret: true },
      "soracom:releasedPacDir": { value: pacDir },
    },
  });
  // Keep the stdout/stderr of every successful operation for the secrets check (step 11).
  for (const op of ["up", "preview", "previewRefresh", "refresh", "destroy"] as const) {
    const run = h[op] as (opts?: unknown) => Promise<{ stdout: string; stderr: string }>;
    (h as unknown as Record<string, unknown>)[op] = async (opts?: unknown) => {
      const result = await run(opts);
      resultTexts.push(result.stdout, result.stderr);
      return result;
    };
  }
}

afterAll(async () => {
  await h?.cleanup();
  await emu?.close();
  if (pacDir) fs.rmSync(pacDir, { recursive: true, force: true });
});

describe("SigfoxDevice on the real engine", () => {
  it(
    "1. up registers the devices (tags in the same call) and the emulator has them",
    async () => {
      spec.devices = {
        dev1: { deviceId: D1.deviceId, registrationSecret: D1.pac, tags: { site: "tokyo", floor: "2" }, groupId: GROUP_A },
        dev2: { deviceId: D2.deviceId, registrationSecret: D2.pac, tags: { site: "osaka" } },
      };
      await resetCalls();
      const up = await h.up();
      expect(up.summary.resourceChanges).toEqual({ create: 3 });
      expect(await apiCalls()).toEqual({ registerSigfoxDevice: 2, setSigfoxDeviceGroup: 1 });
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
      expect(up.outputs.dev1?.value).toMatchObject({ id: D1.deviceId, status: "ready", groupId: GROUP_A, terminationEnabled: false });
      expect(await stateUrns()).toEqual(["dev1", "dev2"]);
    },
    STEP_TIMEOUT,
  );

  it(
    "2. preview and preview --refresh report no changes; preview makes no API call",
    async () => {
      await resetCalls();
      const preview = await h.preview({ expectNoChanges: true });
      expect(preview.changeSummary).toEqual({ same: 3 });
      expect(await apiCalls()).toEqual({});
      const pr = await h.previewRefresh({ expectNoChanges: true });
      expect(pr.changeSummary).toEqual({ same: 3 });
      expect(await apiCalls()).toEqual({ getSigfoxDevice: 2 });
    },
    STEP_TIMEOUT,
  );

  it(
    "2b. a PAC change alone is no change: no diff, no update, no API call",
    async () => {
      spec.devices.dev1 = { ...spec.devices.dev1, registrationSecret: D1_NEW_PAC };
      await resetCalls();
      const mark = h.events.length;
      const preview = await h.preview({ expectNoChanges: true });
      expect(preview.changeSummary).toEqual({ same: 3 });
      const up = await h.up();
      expect(up.summary.resourceChanges).toEqual({ same: 3 });
      expect(Object.values(stepDiffs(mark)).map((d) => d.op)).not.toContain("update");
      expect(await apiCalls()).toEqual({});
      // The device is untouched (the API never reports a PAC; its state is as registered).
      expect(await live(D1.deviceId)).toMatchObject({ pac: D1.pac, status: "ready", tags: { site: "tokyo", floor: "2" }, groupId: GROUP_A });
    },
    STEP_TIMEOUT,
  );

  it(
    "3. bad inputs fail at preview, per property with a fix, with no API call and no PAC echoed",
    async () => {
      spec.devices.bad = { deviceId: "XYZ", registrationSecret: BAD_PAC, groupId: "group-1", tags: { "": "x" } };
      await resetCalls();
      const mark = h.output.length;
      const err = await expectFailure(h.preview());
      delete spec.devices.bad;
      const text = `${(err as Error).message}\n${outputSince(mark)}`;
      expect(text).toMatch(/deviceId must be 1 to 8 hexadecimal digits/);
      expect(text).toMatch(/registrationSecret \(the PAC\) must be exactly 16 hexadecimal characters/);
      expect(text).toMatch(/groupId must be a Soracom group ID/);
      expect(text).toMatch(/tag names must not be empty/);
      expect(text).not.toContain(BAD_PAC);
      expect(await apiCalls()).toEqual({});
    },
    STEP_TIMEOUT,
  );

  it(
    "4. out-of-band changes show as drift on exactly the changed fields of the changed device",
    async () => {
      await emu.control.mutateDevice(D1.deviceId, { tags: { site: "kyoto", floor: "2" }, groupId: GROUP_B, terminationEnabled: true });
      await resetCalls();
      const mark = h.events.length;
      const outMark = h.output.length;
      const pr = await h.previewRefresh();
      expect(pr.changeSummary).toEqual({ same: 2, update: 1 });
      const diffs = Object.entries(stepDiffs(mark)).filter(([, d]) => d.op !== "same");
      // The engine shows a refresh diff as stored inputs → refreshed inputs. `read` cannot return the PAC
      // (the provider host passes it only the outputs, which never hold it), so a DRIFTED device also
      // lists `-registrationSecret`; the op and the devices come from the provider's diff, which ignores it.
      expect(diffs).toEqual([["dev1", { op: "update", changed: ["groupId", "registrationSecret", "tags", "terminationEnabled"] }]]);
      expect(outputSince(outMark)).toMatch(/SigfoxDevice dev1 update \[diff: -registrationSecret~groupId,tags,terminationEnabled\]/);
      expect(outputSince(outMark)).not.toMatch(/SigfoxDevice dev2 update/);
      expect(await apiCalls()).toEqual({ getSigfoxDevice: 2 });
    },
    STEP_TIMEOUT,
  );

  it(
    "5. up --refresh restores the declared state with one call per drifted field",
    async () => {
      await resetCalls();
      const up = await h.up({ refresh: true });
      expect(up.summary.resourceChanges).toMatchObject({ update: 1 });
      expect(await apiCalls()).toEqual({ getSigfoxDevice: 2, putSigfoxDeviceTags: 1, setSigfoxDeviceGroup: 1, disableTerminationOnSigfoxDevice: 1 });
      expect(await live(D1.deviceId)).toMatchObject({ tags: { site: "tokyo", floor: "2" }, groupId: GROUP_A, terminationEnabled: false });
      await resetCalls();
      const mark = h.events.length;
      expect((await h.preview({ expectNoChanges: true })).changeSummary).toEqual({ same: 3 });
      expect(await apiCalls()).toEqual({});
      const pr = await h.previewRefresh({ expectNoChanges: true });
      expect(pr.changeSummary).toEqual({ same: 3 });
      expect(Object.values(stepDiffs(mark)).filter((d) => d.op !== "same" && d.op !== "refresh")).toEqual([]);
    },
    STEP_TIMEOUT,
  );

  it(
    "5b. a plain refresh accepts the drift; preview then shows the update, up restores it, and both previews are empty",
    async () => {
      await emu.control.mutateDevice(D2.deviceId, { tags: { site: "kobe" } });
      await resetCalls();
      const refresh = await h.refresh();
      expect(refresh.summary.resourceChanges).toMatchObject({ update: 1 });
      expect(await apiCalls()).toEqual({ getSigfoxDevice: 2 });
      // The stored inputs of the refreshed devices now lack the PAC: refresh previews stay empty.
      expect((await h.previewRefresh({ expectNoChanges: true })).changeSummary).toEqual({ same: 3 });

      await resetCalls();
      const mark = h.events.length;
      const outMark = h.output.length;
      const preview = await h.preview();
      expect(preview.changeSummary).toEqual({ same: 2, update: 1 });
      expect(await apiCalls()).toEqual({});
      // The op comes from the provider's diff (tags only); the display compares stored inputs (no PAC
      // after the refresh) with the program's, so it lists the PAC coming back as an input.
      expect(Object.entries(stepDiffs(mark)).filter(([, d]) => d.op !== "same")).toEqual([["dev2", { op: "update", changed: ["registrationSecret", "tags"] }]]);
      expect(outputSince(outMark)).toMatch(/SigfoxDevice dev2 update \[diff: \+registrationSecret~tags\]/);

      await resetCalls();
      const up = await h.up();
      expect(up.summary.resourceChanges).toEqual({ same: 2, update: 1 });
      expect(await apiCalls()).toEqual({ putSigfoxDeviceTags: 1 });
      expect(await live(D2.deviceId)).toMatchObject({ tags: { site: "osaka" } });
      await resetCalls();
      expect((await h.preview({ expectNoChanges: true })).changeSummary).toEqual({ same: 3 });
      expect((await h.previewRefresh({ expectNoChanges: true })).changeSummary).toEqual({ same: 3 });
      expect(await apiCalls()).toEqual({ getSigfoxDevice: 2 });
    },
    STEP_TIMEOUT,
  );

  it(
    "6. program changes make exactly the calls of the delta, and the next preview is empty",
    async () => {
      spec.devices.dev1 = { ...spec.devices.dev1, tags: { site: "tokyo", rack: "7" }, groupId: undefined, terminationEnabled: true, deleteImmediately: true };
      await resetCalls();
      const up = await h.up();
      expect(up.summary.resourceChanges).toEqual({ same: 2, update: 1 });
      expect(await apiCalls()).toEqual({ deleteSigfoxDeviceTag: 1, putSigfoxDeviceTags: 1, unsetSigfoxDeviceGroup: 1, enableTerminationOnSigfoxDevice: 1 });
      const paths = (await emu.control.requests()).filter((r) => r.operation !== "auth").map((r) => `${r.method} ${r.path}`);
      expect(paths).toEqual([
        `DELETE /v1/sigfox_devices/${D1.deviceId}/tags/floor`,
        `PUT /v1/sigfox_devices/${D1.deviceId}/tags`,
        `POST /v1/sigfox_devices/${D1.deviceId}/unset_group`,
        `POST /v1/sigfox_devices/${D1.deviceId}/enable_termination`,
      ]);
      expect(await live(D1.deviceId)).toMatchObject({ tags: { site: "tokyo", rack: "7" }, groupId: null, terminationEnabled: true });
      await resetCalls();
      expect((await h.preview({ expectNoChanges: true })).changeSummary).toEqual({ same: 3 });
      expect(await apiCalls()).toEqual({});
    },
    STEP_TIMEOUT,
  );

  it(
    "7. a failure after registration leaves a recorded resource that the next up completes",
    async () => {
      spec.devices.dev3 = { deviceId: D3.deviceId, registrationSecret: D3.pac, tags: { site: "nagoya" }, groupId: GROUP_A, terminationEnabled: true };
      // More failures than the provider's per-device retries (6 attempts of up to 4 client calls each).
      await emu.control.injectFault({ operation: "setSigfoxDeviceGroup", status: 500, count: 100 });
      const mark = h.output.length;
      const err = await expectFailure(h.up());
      await emu.control.clearFaults();
      expect(`${(err as Error).message}\n${outputSince(mark)}`).toMatch(
        new RegExp(`SigfoxDevice ${D3.deviceId}: registered, but setting the group to ${GROUP_A} failed.*run \`pulumi up\` again`),
      );
      // Recorded in the stack, registered in the emulator, not orphaned.
      expect(await stateUrns()).toEqual(["dev1", "dev2", "dev3"]);
      expect(await live(D3.deviceId)).toMatchObject({
        ownerOperatorId: emu.credentials.operatorId,
        status: "ready",
        tags: { site: "nagoya" },
        groupId: null,
        terminationEnabled: false,
      });

      await resetCalls();
      const up = await h.up();
      expect(up.summary.resourceChanges).toMatchObject({ update: 1 });
      expect(await apiCalls()).toEqual({ setSigfoxDeviceGroup: 1, enableTerminationOnSigfoxDevice: 1 });
      expect(await live(D3.deviceId)).toMatchObject({ groupId: GROUP_A, terminationEnabled: true });
      expect((await h.preview({ expectNoChanges: true })).changeSummary).toEqual({ same: 4 });
    },
    STEP_TIMEOUT,
  );

  it(
    "8. a device deleted out of band is dropped by refresh and re-created by up, with the program's current PAC",
    async () => {
      // A PAC change on an existing device is no change (2b): nothing is called, nothing recorded.
      spec.devices.dev2 = { ...spec.devices.dev2, registrationSecret: D2_WRONG_PAC };
      expect((await h.preview({ expectNoChanges: true })).changeSummary).toEqual({ same: 4 });
      // Out of band the device leaves the account and returns to the network registry with its PAC.
      await emu.control.removeDevice(D2.deviceId);
      await resetCalls();
      const refresh = await h.refresh();
      expect(refresh.summary.resourceChanges).toMatchObject({ delete: 1 });
      expect(await stateUrns()).toEqual(["dev1", "dev3"]);
      expect(await apiCalls()).toEqual({ getSigfoxDevice: 3 });

      // The registration uses the program's PAC of now: the wrong one fails, nothing is recorded.
      const mark = h.output.length;
      const err = await expectFailure(h.up());
      expect(`${err.message}\n${outputSince(mark)}`).toMatch(new RegExp(`SigfoxDevice ${D2.deviceId}: registration failed: .*Invalid PAC`));
      expect(await stateUrns()).toEqual(["dev1", "dev3"]);

      spec.devices.dev2 = { ...spec.devices.dev2, registrationSecret: D2.pac };
      await resetCalls();
      const up = await h.up();
      expect(up.summary.resourceChanges).toMatchObject({ create: 1 });
      expect(await apiCalls()).toEqual({ registerSigfoxDevice: 1 });
      expect(await live(D2.deviceId)).toMatchObject({ ownerOperatorId: emu.credentials.operatorId, status: "ready", tags: { site: "osaka" } });
      expect(await stateUrns()).toEqual(["dev1", "dev2", "dev3"]);
    },
    STEP_TIMEOUT,
  );

  it(
    "9. destroy with termination protection on fails cleanly, with no API call, and leaves the devices",
    async () => {
      for (const name of ["dev1", "dev3"]) spec.devices[name] = { ...spec.devices[name], terminationEnabled: false };
      await resetCalls();
      await h.up();
      expect(await apiCalls()).toEqual({ disableTerminationOnSigfoxDevice: 2 });

      await resetCalls();
      const mark = h.output.length;
      const err = await expectFailure(h.destroy());
      expect(`${(err as Error).message}\n${outputSince(mark)}`).toMatch(
        /refusing to terminate: termination protection is on \(terminationEnabled is false\)\. Nothing was sent to the API for this device.* set terminationEnabled: true on it, run `pulumi up`/,
      );
      expect(await apiCalls()).toEqual({});
      expect(await stateUrns()).toEqual(["dev1", "dev2", "dev3"]);
      for (const d of [D1, D2, D3]) expect(await live(d.deviceId)).toMatchObject({ ownerOperatorId: emu.credentials.operatorId, status: "ready" });
    },
    STEP_TIMEOUT,
  );

  it(
    "10. with protection off, destroy terminates every device; the emulator confirms none is left",
    async () => {
      for (const name of ["dev1", "dev2", "dev3"]) spec.devices[name] = { ...spec.devices[name], terminationEnabled: true };
      await resetCalls();
      await h.up();
      expect(await apiCalls()).toEqual({ enableTerminationOnSigfoxDevice: 3 });

      await resetCalls();
      const mark = h.output.length;
      const destroy = await h.destroy();
      expect(destroy.summary.resourceChanges).toEqual({ delete: 4 });
      expect(await apiCalls()).toEqual({ terminateSigfoxDevice: 3 });
      expect(await stateUrns()).toEqual([]);

      // dev1 was deleted immediately: back in the network registry, its new PAC in a private file.
      const d1 = await live(D1.deviceId);
      expect(d1.ownerOperatorId).toBeNull();
      const file = path.join(pacDir, emu.credentials.operatorId, `${D1.deviceId}.json`);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(JSON.parse(fs.readFileSync(file, "utf8"))).toMatchObject({ deviceId: D1.deviceId, registrationSecret: d1.pac });
      expect(outputSince(mark)).toContain(file);
      releasedPac = d1.pac; // checked below as a secret: it must appear nowhere
      // The others are terminated, deleted by Soracom 24 h later.
      expect(await live(D2.deviceId)).toMatchObject({ status: "terminated" });
      expect(await live(D3.deviceId)).toMatchObject({ status: "terminated" });
      await emu.control.advanceClock(24 * 3600 + 1);
      const owned = (await emu.control.state()).devices.filter((d) => d.ownerOperatorId === emu.credentials.operatorId);
      expect(owned).toEqual([]);
    },
    STEP_TIMEOUT,
  );

  it(
    "11. secrets (auth key, PACs) appear nowhere in plain text: state, engine output, stdout/stderr, every event",
    async () => {
      expect(releasedPac).toMatch(/^[0-9A-F]{16}$/i);
      const secrets = [emu.credentials.authKey, D1.pac, D2.pac, D3.pac, D1_NEW_PAC, D2_WRONG_PAC, releasedPac];
      const states = snapshots.filter((s) => s.includes("pulumi-nodejs:dynamic/soracom:SigfoxDevice"));
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
      const haystacks = {
        state: [...states, backendFiles()].join("\n"),
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
      const ws = h.stack.workspace as automation.LocalWorkspace;
      const checkpoint = path.join(ws.envVars.PULUMI_BACKEND_URL!.replace(/^file:\/\//, ""), ".pulumi", "stacks", "sigfox-device-engine", "test.json");
      const backups = fs
        .readdirSync(path.join(path.dirname(path.dirname(path.dirname(checkpoint))), "history", "sigfox-device-engine", "test"))
        .filter((f) => f.endsWith(".checkpoint.json"))
        .sort();
      expect(fs.existsSync(checkpoint)).toBe(true);
      const withDevices = backups
        .map((f) => fs.readFileSync(path.join(path.dirname(path.dirname(path.dirname(checkpoint))), "history", "sigfox-device-engine", "test", f), "utf8"))
        .filter((t) => t.includes("soracom:SigfoxDevice"));
      expect(withDevices.length).toBeGreaterThan(0);
      const state = (
        JSON.parse(withDevices[withDevices.length - 1]!) as { checkpoint: { latest: { resources: { type: string; inputs: Args; outputs: Args }[] } } }
      ).checkpoint.latest;
      for (const r of state.resources.filter((x) => x.type === "pulumi-nodejs:dynamic/soracom:SigfoxDevice")) {
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
  const spec2: { devices: Record<string, Args | ((declared: Record<string, { status: unknown; id: unknown }>) => Args)> } = { devices: {} };
  let h2: TestStack;

  beforeAll(async () => {
    if (setupError) return;
    try {
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
      h2 = await createTestStack({
        program: makeProgram(spec2 as typeof spec),
        projectName: "sigfox-device-adopt",
        config: {
          "soracom:endpoint": { value: emu.url },
          "soracom:authKeyId": { value: emu.credentials.authKeyId },
          "soracom:authKey": { value: emu.credentials.authKey, secret: true },
        },
      });
    } catch (e) {
      setupError = e;
    }
  }, STEP_TIMEOUT);
  afterAll(async () => h2?.cleanup());

  it(
    "preview accepts inputs that are not known yet (outputs of resources to be created), with no API call",
    async () => {
      spec2.devices = {
        first: { deviceId: D5.deviceId, registrationSecret: D5.pac },
        second: (declared) => ({
          deviceId: D4.deviceId,
          registrationSecret: D4.pac,
          tags: { partnerStatus: declared.first!.status, partner: declared.first!.id },
        }),
      };
      await resetCalls();
      const preview = await h2.preview();
      expect(preview.changeSummary).toEqual({ create: 3 });
      expect(await apiCalls()).toEqual({});
      // A previewed create's planned outputs are its inputs (the dynamic host has no provider preview),
      // echoed by the SDK's debug log: the resource class makes a well-formed PAC unknown in previews.
      const echoes = h2.events.filter((e) => /^RegisterResource RPC finished: .*SigfoxDevice/.test(e.diagnosticEvent?.message ?? ""));
      expect(echoes.length).toBe(2);
      expect(echoes.every((e) => e.diagnosticEvent!.message.includes("registrationSecret"))).toBe(true);
      const text = (JSON.stringify(h2.events) + preview.stdout + preview.stderr).toUpperCase();
      for (const pac of [D4.pac, D5.pac]) expect(text.includes(pac.toUpperCase())).toBe(false);
    },
    STEP_TIMEOUT,
  );

  it(
    "an existing device of the operator declared in the program is adopted and converged",
    async () => {
      spec2.devices = {
        adopted: { deviceId: D4.deviceId, registrationSecret: D4.pac, tags: { keep: "k", site: "sendai" }, terminationEnabled: true },
      };
      await resetCalls();
      const mark = h2.output.length;
      const up = await h2.up();
      expect(up.summary.resourceChanges).toEqual({ create: 2 });
      expect(await apiCalls()).toEqual({
        registerSigfoxDevice: 1,
        getSigfoxDevice: 1,
        deleteSigfoxDeviceTag: 1,
        putSigfoxDeviceTags: 1,
        unsetSigfoxDeviceGroup: 1,
      });
      expect(h2.output.slice(mark).join("")).toMatch(new RegExp(`SigfoxDevice ${D4.deviceId}: already registered to this operator .*adopted it`));
      expect(await live(D4.deviceId)).toMatchObject({ tags: { keep: "k", site: "sendai" }, groupId: null, terminationEnabled: true, status: "ready" });
      await resetCalls();
      expect((await h2.preview({ expectNoChanges: true })).changeSummary).toEqual({ same: 2 });
      expect(await apiCalls()).toEqual({});
    },
    STEP_TIMEOUT,
  );

  it(
    "a new device ID replaces the resource: the old device is terminated before the new one is registered",
    async () => {
      spec2.devices = {
        adopted: { deviceId: D5.deviceId, registrationSecret: D5.pac, tags: { keep: "k", site: "sendai" }, terminationEnabled: true },
      };
      await resetCalls();
      const up = await h2.up();
      expect(up.summary.resourceChanges).toMatchObject({ replace: 1 });
      const calls = (await emu.control.requests()).filter((r) => r.operation !== "auth").map((r) => `${r.operation} ${r.path.split("/")[3]}`);
      expect(calls).toEqual([`terminateSigfoxDevice ${D4.deviceId}`, `registerSigfoxDevice ${D5.deviceId}`, `enableTerminationOnSigfoxDevice ${D5.deviceId}`]);
      expect(await live(D4.deviceId)).toMatchObject({ status: "terminated" });
      expect(await live(D5.deviceId)).toMatchObject({ status: "ready", tags: { keep: "k", site: "sendai" }, terminationEnabled: true });

      await resetCalls();
      await h2.destroy();
      expect(await apiCalls()).toEqual({ terminateSigfoxDevice: 1 });
      expect(await live(D5.deviceId)).toMatchObject({ status: "terminated" });

      // No PAC in any event of this stack either (previews of creates, adoption, replacement), debug included.
      const text = (JSON.stringify(h2.events) + h2.output.join("")).toUpperCase();
      for (const pac of [D4.pac, D5.pac]) expect(text.includes(pac.toUpperCase())).toBe(false);
    },
    STEP_TIMEOUT,
  );
});
