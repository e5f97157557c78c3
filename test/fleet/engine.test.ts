/**
 * The default program (`fleetProgram`) against the REAL Pulumi engine and the emulator, as ordered
 * steps: changing the fleet file changes exactly the devices it should, and a bad file makes no API
 * call at all.
 *
 * Needs `PULUMI_CLI_DIR` (set by scripts/run.sh) and a build (`tsc -p tsconfig.build.json`): the
 * program is loaded from the compiled package, as the closure serializer requires.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../src/emulator";
import { apiCallsWithoutAuth, emulatorStackConfig } from "../helpers/common";
import { createTestStack, fleetFileProgram, type TestStack } from "../helpers/engine";
import { fixtureDir, lines } from "./helpers";

const STEP_TIMEOUT = 240_000;
const GROUP = "44444444-4444-4444-8444-444444444444";
const DEVICES = {
  A: { deviceId: "1A2B3C41", pac: "E1E2E3E4E5E60041" },
  B: { deviceId: "1A2B3C42", pac: "E1E2E3E4E5E60042" },
  C: { deviceId: "1A2B3C43", pac: "E1E2E3E4E5E60043" },
  D: { deviceId: "1A2B3C44", pac: "E1E2E3E4E5E60044" },
};
type Key = keyof typeof DEVICES;

let emu: RunningEmulator;
let h: TestStack;
const dir = fixtureDir({
  "pacs.csv": lines("device_id,pac", ...Object.values(DEVICES).map((d) => `${d.deviceId},${d.pac}`)),
});
const fleetFile = path.join(dir, "fleet.yaml");

/** Writes the fleet file: the devices in this order, with optional per-device YAML lines. */
function writeFleet(keys: Key[], extra: Partial<Record<Key, string[]>> = {}): void {
  fs.writeFileSync(
    fleetFile,
    lines(
      "defaults:",
      "  tags: {project: engine-test}",
      `  groupId: ${GROUP}`,
      "  terminationEnabled: true",
      "pacsCsv: pacs.csv",
      "devices:",
      ...keys.flatMap((k) => [`  - deviceId: "${DEVICES[k].deviceId}"`, ...(extra[k] ?? [])]),
    ),
  );
}

const SECRET_SIG = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };
/** The value with every secret-marked object replaced by a placeholder. */
function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value === null || typeof value !== "object") return value;
  const record = value as Record<string, unknown>;
  if (record["4dabf18193072939515e22adb298388d"] === SECRET_SIG["4dabf18193072939515e22adb298388d"]) return "[secret]";
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, withoutSecrets(v)]));
}

const apiCalls = () => apiCallsWithoutAuth(emu);

/** Device steps (op by device ID) among the engine events since `mark`. */
function deviceSteps(mark: number): Record<string, string> {
  const steps: Record<string, string> = {};
  for (const event of h.events.slice(mark)) {
    const m = event.resourcePreEvent?.metadata;
    if (m?.type !== "pulumi-nodejs:dynamic/soracom:SigfoxDevice" || m.op === "same") continue;
    steps[m.urn.split("::").pop()!] = m.op;
  }
  return steps;
}

beforeAll(async () => {
  emu = await startEmulator({
    seed: { groups: [{ groupId: GROUP }], devices: Object.values(DEVICES).map((d) => ({ deviceId: d.deviceId, pac: d.pac })) },
  });
  h = await createTestStack({
    program: fleetFileProgram(fleetFile),
    projectName: "sigfox-fleet-engine",
    config: emulatorStackConfig(emu),
  });
}, STEP_TIMEOUT);

afterAll(async () => {
  await h?.cleanup();
  await emu?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("a fleet file on the real engine", () => {
  it(
    "1. up registers every device of the file under the fleet component and exports the summary",
    async () => {
      writeFleet(["A", "B", "C"], { C: ["    tags: {site: spare}", "    groupId: null"] });
      await emu.control.clearRequests();
      const up = await h.up();
      expect(up.summary.resourceChanges).toEqual({ create: 5 }); // stack, fleet, 3 devices
      expect((await apiCalls()).registerSigfoxDevice).toBe(3);
      expect(up.outputs.deviceCount?.value).toBe(3);
      expect(up.outputs.devices?.value).toEqual({
        "1A2B3C41": { status: "ready", groupId: GROUP, tags: { project: "engine-test" }, terminationEnabled: true },
        "1A2B3C42": { status: "ready", groupId: GROUP, tags: { project: "engine-test" }, terminationEnabled: true },
        "1A2B3C43": { status: "ready", groupId: null, tags: { project: "engine-test", site: "spare" }, terminationEnabled: true },
      });
      const state = JSON.parse(await h.exportState()) as {
        resources: { urn: string; type: string; inputs: Record<string, unknown>; outputs: Record<string, unknown> }[];
      };
      expect(
        state.resources
          .map((r) => r.urn)
          .filter((u) => u.includes("SigfoxDevice"))
          .sort(),
      ).toEqual(
        ["1A2B3C41", "1A2B3C42", "1A2B3C43"].map(
          (id) => `urn:pulumi:test::sigfox-fleet-engine::soracom:index:SigfoxFleet$pulumi-nodejs:dynamic/soracom:SigfoxDevice::${id}`,
        ),
      );
      // Wherever the PAC is in the state, it is a secret (exportStack shows secrets decrypted, but marked).
      const device = state.resources.find((r) => r.type.endsWith("SigfoxDevice"))!;
      expect(device.inputs.registrationSecret).toMatchObject(SECRET_SIG);
      expect(JSON.stringify(withoutSecrets(state))).not.toContain(DEVICES.A.pac);
    },
    STEP_TIMEOUT,
  );

  it(
    "2. reordering the file and adding a device creates that device and touches no other",
    async () => {
      writeFleet(["D", "C", "A", "B"], { C: ["    tags: {site: spare}", "    groupId: null"] });
      await emu.control.clearRequests();
      const mark = h.events.length;
      const up = await h.up();
      expect(deviceSteps(mark)).toEqual({ "1A2B3C44": "create" });
      expect(up.summary.resourceChanges).toEqual({ create: 1, same: 5 });
      expect(await apiCalls()).toMatchObject({ registerSigfoxDevice: 1 });
    },
    STEP_TIMEOUT,
  );

  it(
    "3. editing one device's tags updates that device only",
    async () => {
      writeFleet(["D", "C", "A", "B"], { C: ["    tags: {site: spare}", "    groupId: null"], B: ["    tags: {site: kyoto}"] });
      await emu.control.clearRequests();
      const mark = h.events.length;
      await h.up();
      expect(deviceSteps(mark)).toEqual({ "1A2B3C42": "update" });
      expect(await apiCalls()).toEqual({ putSigfoxDeviceTags: 1 });
      const live = (await emu.control.state()).devices.find((d) => d.deviceId === DEVICES.B.deviceId);
      expect(live?.tags).toEqual({ project: "engine-test", site: "kyoto" });
    },
    STEP_TIMEOUT,
  );

  it(
    "4. an invalid file fails the preview with every problem and makes no API call",
    async () => {
      const good = fs.readFileSync(fleetFile, "utf8");
      fs.writeFileSync(fleetFile, good.replace('deviceId: "1A2B3C41"', 'deviceId: "1A2B3C4G"').replace("  groupId:", "  groupID:"));
      await emu.control.clearRequests();
      const mark = h.output.length;
      const error = await h.preview().catch((e: Error) => e);
      fs.writeFileSync(fleetFile, good);
      expect(error).toBeInstanceOf(Error);
      const text = `${(error as Error).message}\n${h.output.slice(mark).join("")}`;
      expect(text).toContain("Invalid fleet definition");
      expect(text).toMatch(/fleet\.yaml:3:3 defaults\.groupID: unknown key "groupID"/);
      expect(text).toMatch(/fleet\.yaml:\d+:\d+ devices\[\d\]\.deviceId: is "1A2B3C4G"/);
      expect(await apiCalls()).toEqual({});
    },
    STEP_TIMEOUT,
  );

  it(
    "5. removing a device from the file terminates exactly that device",
    async () => {
      writeFleet(["D", "A", "B"], { B: ["    tags: {site: kyoto}"] });
      await emu.control.clearRequests();
      const mark = h.events.length;
      const up = await h.up();
      expect(deviceSteps(mark)).toEqual({ "1A2B3C43": "delete" });
      expect(await apiCalls()).toMatchObject({ terminateSigfoxDevice: 1 });
      expect(Object.keys(up.outputs.devices?.value as object).sort()).toEqual(["1A2B3C41", "1A2B3C42", "1A2B3C44"]);
      const preview = await h.preview({ expectNoChanges: true });
      expect(preview.changeSummary).toEqual({ same: 5 });
    },
    STEP_TIMEOUT,
  );

  it(
    "6. destroy removes the fleet",
    async () => {
      const destroy = await h.destroy();
      expect(destroy.summary.resourceChanges).toEqual({ delete: 5 });
    },
    STEP_TIMEOUT,
  );
});
