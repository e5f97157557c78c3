/**
 * The provider under API faults and its user-facing texts, against the emulator over real HTTP
 * through the real client (no engine): a failed `register` is retried only after a read proved it did
 * not take effect, idempotent steps survive transient faults, and the errors say what to run. The
 * fleet-scale proof on the real engine is faults.engine.test.ts.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../src/emulator";
import { sigfoxDevice } from "../../src/provider";
import { setApiFactoryForTests } from "../../src/provider/config";
import { setConvergencePolicyForTests } from "../../src/provider/convergence";
import { closestInputName } from "../../src/provider/sigfox-device";
import { providerKit } from "./provider-kit";

let emu: RunningEmulator;
const { networkDevice, calls, checked } = providerKit(() => emu, 0x300000);

/**
 * The device's API calls in order, reads (a GET, or a page of the listing behind `lookupDevice`)
 * shown as `read`: the proof that every register after the first followed a read.
 */
async function deviceOps(deviceId: string): Promise<string[]> {
  return (await emu.control.requests())
    .filter((r) => r.operation === "listSigfoxDevices" || r.path.split("/")[3]?.split("?")[0]?.toUpperCase() === deviceId.toUpperCase())
    .map((r) => (r.operation === "getSigfoxDevice" || r.operation === "listSigfoxDevices" ? "read" : `${r.operation}:${r.status ?? "dropped"}`))
    .filter((op, i, all) => op !== "read" || all[i - 1] !== "read");
}

async function configureFor(endpoint: string): Promise<void> {
  setApiFactoryForTests(undefined);
  await sigfoxDevice.configure({
    config: { "soracom:endpoint": endpoint, "soracom:authKeyId": emu.credentials.authKeyId, "soracom:authKey": emu.credentials.authKey },
  });
}
async function failure(op: Promise<unknown>): Promise<string> {
  const e = await op.then(
    () => new Error("expected a failure"),
    (x: unknown) => x as Error,
  );
  return e.message;
}

beforeAll(async () => {
  emu = await startEmulator({ seed: { groups: [{ groupId: "11111111-1111-4111-8111-111111111111" }, { groupId: "22222222-2222-4222-8222-222222222222" }] } });
  setConvergencePolicyForTests({ attempts: 4, baseDelayMs: 20, maxDelayMs: 100 });
  await configureFor(emu.url);
});
afterAll(async () => {
  setConvergencePolicyForTests(undefined);
  await emu?.close();
});
beforeEach(async () => {
  await emu.control.clearFaults();
  await emu.control.clearRequests();
});

describe("create under faults", () => {
  it("registers again after a 503, once a read proved the first attempt did not register (404)", async () => {
    const d = await networkDevice();
    await emu.control.injectFault({ operation: "registerSigfoxDevice", status: 503, count: 1 });
    const r = await sigfoxDevice.create(await checked({ deviceId: d.deviceId, registrationSecret: d.pac, tags: { a: "1" } }));
    expect(r.outs).toMatchObject({ status: "ready", tags: { a: "1" } });
    // The read sits between the two registrations: never two registers without proof.
    expect(await deviceOps(d.deviceId)).toEqual(["registerSigfoxDevice:503", "read", "registerSigfoxDevice:200"]);
  });

  it("adopts, without a second register, when the connection dropped after the server committed", async () => {
    const d = await networkDevice();
    await emu.control.injectFault({ operation: "registerSigfoxDevice", drop: "after", count: 1 });
    const r = await sigfoxDevice.create(await checked({ deviceId: d.deviceId, registrationSecret: d.pac, groupId: "11111111-1111-4111-8111-111111111111" }));
    expect(r.outs).toMatchObject({ status: "ready", groupId: "11111111-1111-4111-8111-111111111111" });
    expect(await deviceOps(d.deviceId)).toEqual(["registerSigfoxDevice:dropped", "read", "setSigfoxDeviceGroup:200"]);
  });

  it("after the per-device budget: a clear error saying nothing was registered and what to run", async () => {
    const d = await networkDevice();
    await emu.control.injectFault({ operation: "registerSigfoxDevice", status: 503, count: 50 });
    const message = await failure(sigfoxDevice.create(await checked({ deviceId: d.deviceId, registrationSecret: d.pac })));
    expect(message).toMatch(new RegExp(`SigfoxDevice ${d.deviceId}: registration failed 4 times with transient API errors .*HTTP 503`));
    expect(message).toMatch(/nothing was registered.*Run `pulumi up` again/);
    expect(message).not.toMatch(/getSigfoxDevice/);
    expect(message.toUpperCase()).not.toContain(d.pac.toUpperCase());
    // Exactly the budget of registrations, each followed by a read that found nothing.
    expect(await deviceOps(d.deviceId)).toEqual(Array.from({ length: 4 }, () => ["registerSigfoxDevice:503", "read"]).flat());
    expect((await emu.control.state()).devices.find((x) => x.deviceId === d.deviceId)?.ownerOperatorId).toBeNull();
  });

  it("a wrong PAC is an answer, not a fault: no second registration", async () => {
    const d = await networkDevice();
    const message = await failure(sigfoxDevice.create(await checked({ deviceId: d.deviceId, registrationSecret: "0000000000000000" })));
    expect(message).toMatch(new RegExp(`SigfoxDevice ${d.deviceId}: registration failed: .*Invalid PAC`));
    expect(await deviceOps(d.deviceId)).toEqual(["registerSigfoxDevice:400", "read"]);
  });

  it("idempotent steps survive more transient faults than the client retries (5xx after its retries, a drop after commit)", async () => {
    const d = await networkDevice();
    // The client retries a replay-safe call 3 times: 5 x 503 ends its call twice; the provider calls again.
    await emu.control.injectFault({ operation: "setSigfoxDeviceGroup", status: 503, count: 5 });
    await emu.control.injectFault({ operation: "enableTerminationOnSigfoxDevice", drop: "after", count: 1 });
    const r = await sigfoxDevice.create(
      await checked({ deviceId: d.deviceId, registrationSecret: d.pac, groupId: "22222222-2222-4222-8222-222222222222", terminationEnabled: true }),
    );
    expect(r.outs).toMatchObject({ groupId: "22222222-2222-4222-8222-222222222222", terminationEnabled: true });
    const c = await calls();
    expect(c.registerSigfoxDevice).toBe(1);
    expect(c.setSigfoxDeviceGroup).toBe(6);
    expect(c.enableTerminationOnSigfoxDevice).toBeGreaterThanOrEqual(2);
  });
});

describe("texts a Pulumi user reads", () => {
  it("a configuration error names the stack key, says it is configuration (not the API), and the fix", async () => {
    await configureFor("ftp://127.0.0.1:1");
    try {
      const d = await networkDevice();
      const message = await failure(sigfoxDevice.create(await checked({ deviceId: d.deviceId, registrationSecret: d.pac })));
      expect(message).toMatch(/configuration error \(the Soracom provider's settings, not an API failure; nothing was sent to the API\)/);
      expect(message).toMatch(/soracom:endpoint: protocol must be http or https/);
      expect(message).toMatch(/pulumi config set soracom:<key>/);
      expect(message).not.toMatch(/options\.|registration failed/);
      expect(await calls()).toEqual({});
    } finally {
      await configureFor(emu.url);
    }
  });

  it("unknown properties are rejected by check, naming the closest input, never echoing the value", async () => {
    const r = await sigfoxDevice.check({}, { deviceId: "1A2B", registrationSecret: "0123456789ABCDEF", groupID: "x", pac: "FEDCBA9876543210", colour: "red" });
    const reasons = r.failures!.map((f) => f.reason);
    expect(reasons).toContainEqual(expect.stringMatching(/unknown property "groupID": did you mean "groupId"\?/));
    expect(reasons).toContainEqual(expect.stringMatching(/unknown property "pac": did you mean "registrationSecret"\?/));
    expect(reasons).toContainEqual(expect.stringMatching(/unknown property "colour" SigfoxDevice accepts deviceId/));
    expect(r.failures!.every((f) => f.property === "")).toBe(true);
    expect(JSON.stringify(r.failures)).not.toContain("FEDCBA9876543210");
    expect(closestInputName("termination_enabled")).toBe("terminationEnabled");
    expect(closestInputName("tag")).toBe("tags");
  });

  it("a terminated device: the error of the next registration says since when, until when, and which PAC works then", async () => {
    const d = await networkDevice();
    await sigfoxDevice.create(await checked({ deviceId: d.deviceId, registrationSecret: d.pac, terminationEnabled: true }));
    const props = { deviceId: d.deviceId, terminationEnabled: true, deleteImmediately: false, tags: {} };
    await sigfoxDevice.delete(d.deviceId, props);
    const terminated = (await emu.control.state()).devices.find((x) => x.deviceId === d.deviceId)!;
    const since = new Date(terminated.lastModifiedTime as unknown as string | number);
    const until = new Date(since.getTime() + 24 * 3600 * 1000);
    const message = await failure(sigfoxDevice.create(await checked({ deviceId: d.deviceId, registrationSecret: d.pac })));
    expect(message).toContain(`at ${until.toISOString()} (24 hours after its termination at ${since.toISOString()})`);
    expect(message).toMatch(/with a NEW PAC: set that PAC as registrationSecret and run `pulumi up` after that time/);
    expect(message).toMatch(/deleteImmediately: true/);
  });

  it("the refusal of a protected device says nothing was sent for it and what to do; it prints once", async () => {
    const e = await sigfoxDevice.delete("ABCD", { deviceId: "ABCD", terminationEnabled: false, tags: {} }).then(
      () => undefined,
      (x: unknown) => x as Error,
    );
    expect(e?.message).toMatch(
      /refusing to terminate: termination protection is on .*Nothing was sent to the API for this device.*cannot be registered again for 24 hours/,
    );
    // The host prints `${e}: ${e.stack}` on stderr next to the message it returns: that echo is recognized and dropped.
    expect(String(e)).not.toContain("refusing");
    expect(await calls()).toEqual({});
  });

  it("refresh returns no refreshed inputs for a device that did not drift (the engine keeps the stored ones, PAC included)", async () => {
    const d = await networkDevice();
    const created = await sigfoxDevice.create(await checked({ deviceId: d.deviceId, registrationSecret: d.pac, tags: { a: "1" } }));
    const same = await sigfoxDevice.read(d.deviceId, created.outs as Record<string, unknown>);
    expect(same.inputs).toBeUndefined();
    await emu.control.mutateDevice(d.deviceId, { tags: { a: "2" } });
    const drifted = await sigfoxDevice.read(d.deviceId, created.outs as Record<string, unknown>);
    expect(drifted.inputs).toMatchObject({ tags: { a: "2" } });
  });
});
