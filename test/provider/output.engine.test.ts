/**
 * Issue 10, item 3, on the REAL engine: what `pulumi preview/refresh/destroy/up` print must not
 * mislead. Refresh names only devices that drifted (no `-registrationSecret` on the others); unknown
 * properties of a JavaScript program fail at preview naming the closest input; a refusal is printed
 * once; a destroy with mixed protection and the next `up` say what happened, since/until when, and
 * which PAC works then.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../src/emulator";
import { emulatorStackConfig } from "../helpers/common";
import { createTestStack, deviceProgram, type TestStack } from "../helpers/engine";

const TIMEOUT = 300_000;
const A = { deviceId: "A0A0A0", pac: "00AA00AA00AA00AA" };
const B = { deviceId: "B0B0B0", pac: "00BB00BB00BB00BB" };
const spec: { devices: Record<string, Record<string, unknown>> } = { devices: {} };

let emu: RunningEmulator;
let h: TestStack;

async function failure(op: Promise<unknown>): Promise<string> {
  const e = await op.then(
    () => new Error("expected the operation to fail"),
    (x: unknown) => x as Error & { stderr?: string },
  );
  return `${e.message}\n${(e as { stderr?: string }).stderr ?? ""}`;
}

beforeAll(async () => {
  emu = await startEmulator({ seed: { devices: [A, B] } });
  h = await createTestStack({
    program: deviceProgram(spec),
    projectName: "sigfox-output",
    config: emulatorStackConfig(emu),
  });
}, TIMEOUT);
afterAll(async () => {
  await h?.cleanup();
  await emu?.close();
});

describe("engine output", () => {
  it(
    "unknown properties of a JavaScript program fail at preview, naming the closest input, with no API call and no value echoed",
    async () => {
      spec.devices = { a: { deviceId: A.deviceId, registrationSecret: A.pac, groupID: "11111111-1111-4111-8111-111111111111", pac: A.pac } };
      await emu.control.clearRequests();
      const mark = h.output.length;
      const text = (await failure(h.preview())) + h.output.slice(mark).join("");
      expect(text).toMatch(/unknown property "groupID": did you mean "groupId"\?/);
      expect(text).toMatch(/unknown property "pac": did you mean "registrationSecret"\?/);
      expect(text.toUpperCase()).not.toContain(A.pac);
      expect(await emu.control.calls()).toEqual({});
    },
    TIMEOUT,
  );

  it(
    "refresh names only the device that drifted; the others show no -registrationSecret",
    async () => {
      spec.devices = {
        a: { deviceId: A.deviceId, registrationSecret: A.pac, tags: { site: "tokyo" } },
        b: { deviceId: B.deviceId, registrationSecret: B.pac, tags: { site: "osaka" }, terminationEnabled: true },
      };
      await h.up();
      await emu.control.mutateDevice(A.deviceId, { tags: { site: "kyoto" } });
      const mark = h.output.length;
      await h.refresh();
      const out = h.output.slice(mark).join("");
      // The drifted device lists the PAC too (refreshed inputs cannot hold it: see docs/provider.md).
      expect(out).toMatch(/SigfoxDevice a updated .*\[diff: -registrationSecret~tags\]/);
      expect(out).not.toMatch(/SigfoxDevice b .*(diff|registrationSecret)/);
      // The undrifted device keeps its stored inputs: the next preview is quiet for it.
      const previewMark = h.output.length;
      await h.preview();
      expect(h.output.slice(previewMark).join("")).not.toMatch(/SigfoxDevice b .*diff/);
      await h.up();
    },
    TIMEOUT,
  );

  it(
    "destroy with mixed protection: the refusal is printed once (no stray ': '), the termination says until when",
    async () => {
      const mark = h.output.length;
      const err = await failure(h.destroy());
      const out = h.output.slice(mark).join("") + err;
      // The host's stderr echo (`Error: <message>: `) is gone: the diagnostics of the device hold the refusal once.
      const printed = h.output.slice(mark).join("");
      const diagnostics = printed.slice(printed.indexOf("Diagnostics:"));
      expect(diagnostics.match(/SigfoxDevice A0A0A0: refusing to terminate/g)?.length).toBe(1);
      expect(out).not.toMatch(/Error: SigfoxDevice/);
      expect(out).not.toMatch(/keep it in the program\.: /);
      expect(out).toMatch(/Nothing was sent to the API for this device/);
      const terminated = (await emu.control.state()).devices.find((d) => d.deviceId === B.deviceId)!;
      expect(terminated.status).toBe("terminated");
      const until = new Date(new Date(terminated.lastModifiedTime as unknown as string).getTime() + 24 * 3600 * 1000).toISOString();
      expect(out).toContain(`SigfoxDevice ${B.deviceId}: terminated. It stays in the account as terminated until ${until}`);
    },
    TIMEOUT,
  );

  it(
    "the next up that declares the terminated device says since when, until when, and which PAC works then",
    async () => {
      const err = await failure(h.up());
      expect(err).toMatch(
        new RegExp(`SigfoxDevice ${B.deviceId}: cannot register: the device is terminated .* at \\S+Z \\(24 hours after its termination at \\S+Z\\)`),
      );
      expect(err).toMatch(/NEW PAC: set that PAC as registrationSecret/);
    },
    TIMEOUT,
  );
});
