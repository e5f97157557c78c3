/** Every operation against the emulator over real HTTP, pagination by both headers, wire headers, stats. */
import { beforeEach, describe, expect, it } from "vitest";
import { collectAll, packageVersion, resetSharedClientState, SoracomClient } from "../../src/client";
import { clientFor, recordingDispatcher, rejection, strippingDispatcher, useEmulator } from "./helpers";

const OP = "OP0012345678";
const GROUP = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9";
const emu = useEmulator();
let client: SoracomClient;

beforeEach(async () => {
  client = clientFor(emu);
});

async function seedOwned(ids: string[], extra: Record<string, unknown> = {}): Promise<void> {
  await emu.control.seed({ devices: ids.map((deviceId) => ({ deviceId, ownerOperatorId: OP, ...extra })) });
}

describe("device operations over HTTP", () => {
  it("registers a device with its PAC and tags, then gets it", async () => {
    await emu.control.seed({ devices: [{ deviceId: "1A2B3C", pac: "0011223344556677" }] });
    const registered = await client.registerSigfoxDevice("1A2B3C", { registrationSecret: "0011223344556677", tags: { site: "tokyo" } });
    expect(registered).toMatchObject({ device_id: "1A2B3C", operatorId: OP, status: "ready", tags: { site: "tokyo" } });
    expect(await client.getSigfoxDevice("1A2B3C")).toMatchObject({ device_id: "1A2B3C", tags: { site: "tokyo" } });
  });

  it("getSigfoxDevice of an unknown device is a not_found error with Soracom's code", async () => {
    const e = await rejection(client.getSigfoxDevice("DEAD"));
    expect(e).toMatchObject({ code: "not_found", status: 404, operation: "getSigfoxDevice", request: "GET /v1/sigfox_devices/DEAD", retryable: false });
    expect(e.soracomCode).toMatch(/^[A-Z]{3}\d{4}$/);
  });

  it("a wrong PAC is a 4xx error, never a success", async () => {
    await emu.control.seed({ devices: [{ deviceId: "ABC", pac: "0011223344556677" }] });
    const e = await rejection(client.registerSigfoxDevice("ABC", { registrationSecret: "FFFFFFFFFFFFFFFF" }));
    expect(e.status).toBeGreaterThanOrEqual(400);
    expect(e.status).toBeLessThan(500);
  });

  it("enables and disables termination", async () => {
    await seedOwned(["A1"]);
    expect((await client.enableTerminationOnSigfoxDevice("A1")).terminationEnabled).toBe(true);
    expect((await client.disableTerminationOnSigfoxDevice("A1")).terminationEnabled).toBe(false);
  });

  it("sets and unsets the group", async () => {
    await emu.control.seed({ groups: [{ groupId: GROUP }] });
    await seedOwned(["A2"]);
    expect((await client.setSigfoxDeviceGroup("A2", GROUP)).groupId).toBe(GROUP);
    expect((await client.unsetSigfoxDeviceGroup("A2")).groupId).toBeUndefined();
  });

  it("puts tags and deletes a tag whose name needs percent-encoding", async () => {
    await seedOwned(["A3"]);
    const name = "room/1 東京 %";
    const after = await client.putSigfoxDeviceTags("A3", [{ tagName: name, tagValue: "v" }, { tagName: "keep", tagValue: "k" }]);
    expect(after.tags).toEqual({ [name]: "v", keep: "k" });
    await client.deleteSigfoxDeviceTag("A3", name);
    expect((await client.getSigfoxDevice("A3")).tags).toEqual({ keep: "k" });
    const e = await rejection(client.deleteSigfoxDeviceTag("A3", name));
    expect(e.code).toBe("not_found");
  });

  it("refuses to delete a tag named \".\" or \"..\" (a dot segment in the path: the 404 of another path is not \"tag gone\")", async () => {
    await seedOwned(["A4"]);
    // The client refuses to set such a tag (src/api/values.ts); the control plane can still make one.
    await emu.control.mutateDevice("A4", { tags: { "..": "v" } });
    for (const name of [".", ".."]) {
      const e = await rejection(client.deleteSigfoxDeviceTag("A4", name));
      expect(e.code).toBe("validation");
    }
  });

  it("terminates (kept as terminated) and terminates with delete_immediately (gone)", async () => {
    await seedOwned(["B1", "B2"], { terminationEnabled: true });
    expect((await client.terminateSigfoxDevice("B1")).status).toBe("terminated");
    expect((await client.getSigfoxDevice("B1")).status).toBe("terminated");
    await client.terminateSigfoxDevice("B2", { deleteImmediately: true });
    expect((await rejection(client.getSigfoxDevice("B2"))).code).toBe("not_found");
    const log = await emu.control.requests();
    expect(log.some((r) => r.path.includes("/sigfox_devices/B2/terminate?delete_immediately=true"))).toBe(true);
  });

  it("sends a downlink (202) and refuses a payload that is not 8 bytes before sending", async () => {
    await seedOwned(["C1"]);
    await expect(client.sendDataToSigfoxDevice("C1", "0102030405060708")).resolves.toBeUndefined();
    const state = await emu.control.state();
    expect(JSON.stringify(state)).toContain("0102030405060708");
    const e = await rejection(client.sendDataToSigfoxDevice("C1", "0102"));
    expect(e).toMatchObject({ code: "validation", attempts: 0 });
    expect((await emu.control.calls()).sendDataToSigfoxDevice).toBe(1);
  });

  it("reads Harvest data entries a device sent", async () => {
    await seedOwned(["D1"]);
    await emu.control.uplink("D1", { data: "0a0b" });
    await emu.control.uplink("D1", { data: "0c0d" });
    const page = await client.getDataFromSigfoxDevice("D1", { sort: "asc" });
    expect(page.items).toHaveLength(2);
    expect(page.items[0]).toMatchObject({ resourceType: "SigfoxDevice", resourceId: "D1" });
    expect(JSON.parse(page.items[0]!.content!)).toMatchObject({ data: "0a0b" });
  });
});

describe("pagination over HTTP", () => {
  const ids = Array.from({ length: 23 }, (_, i) => (0x100 + i).toString(16).toUpperCase());

  it("listSigfoxDevices returns a page and its nextKey", async () => {
    await seedOwned(ids);
    const page = await client.listSigfoxDevices({ limit: 10 });
    expect(page.items).toHaveLength(10);
    expect(page.nextKey).toBeDefined();
  });

  it("sigfoxDevices iterates every page (with x-soracom-next-key and link)", async () => {
    await seedOwned(ids);
    const all = await collectAll(client.sigfoxDevices({ limit: 5 }));
    expect(all.map((d) => d.device_id).sort()).toEqual([...ids].sort());
    expect(client.stats().calls.listSigfoxDevices).toBe(5);
  });

  it("follows x-soracom-next-key alone (link header removed in transit)", async () => {
    await seedOwned(ids);
    const c = clientFor(emu, { dispatcher: strippingDispatcher("link") });
    expect(await collectAll(c.sigfoxDevices({ limit: 7 }))).toHaveLength(23);
    expect(c.stats().calls.listSigfoxDevices).toBe(4);
  });

  it("follows the link header alone (x-soracom-next-key removed in transit)", async () => {
    await seedOwned(ids);
    const c = clientFor(emu, { dispatcher: strippingDispatcher("x-soracom-next-key") });
    expect(await collectAll(c.sigfoxDevices({ limit: 7 }))).toHaveLength(23);
    expect(c.stats().calls.listSigfoxDevices).toBe(4);
  });

  it("without either header the first page is the last (proves the headers above were removed)", async () => {
    await seedOwned(ids);
    const c = clientFor(emu, { dispatcher: strippingDispatcher("link", "x-soracom-next-key") });
    expect(await collectAll(c.sigfoxDevices({ limit: 7 }))).toHaveLength(7);
  });

  it("filters by tag", async () => {
    await emu.control.seed({
      devices: [
        { deviceId: "E1", ownerOperatorId: OP, tags: { site: "tokyo-1" } },
        { deviceId: "E2", ownerOperatorId: OP, tags: { site: "tokyo-2" } },
        { deviceId: "E3", ownerOperatorId: OP, tags: { site: "osaka" } },
      ],
    });
    const exact = await collectAll(client.sigfoxDevices({ tagName: "site", tagValue: "osaka" }));
    expect(exact.map((d) => d.device_id)).toEqual(["E3"]);
    const prefix = await collectAll(client.sigfoxDevices({ tagName: "site", tagValue: "tokyo", tagValueMatchMode: "prefix" }));
    expect(prefix.map((d) => d.device_id).sort()).toEqual(["E1", "E2"]);
  });

  it("dataEntries iterates every page of Harvest data", async () => {
    await seedOwned(["F1"]);
    for (let i = 0; i < 12; i++) {
      await emu.control.uplink("F1", { data: i.toString(16).padStart(2, "0") });
      await emu.control.advanceClock(1);
    }
    const entries = await collectAll(client.dataEntries("F1", { limit: 5 }));
    expect(entries).toHaveLength(12);
    expect(client.stats().calls.getDataFromSigfoxDevice).toBe(3);
  });
});

describe("wire headers and counters", () => {
  it("sends User-Agent with the package version and suffix, X-Soracom-Lang: en, and the token pair", async () => {
    const rec = recordingDispatcher();
    const c = clientFor(emu, { dispatcher: rec.dispatcher, userAgentSuffix: "fleet-tool/1.2" });
    await c.listSigfoxDevices();
    const [auth, list] = rec.requests;
    expect(auth).toMatchObject({ method: "POST", path: "/v1/auth" });
    expect(auth!.headers["x-soracom-token"]).toBeUndefined();
    expect(list!.headers["user-agent"]).toBe(`pulumi-soracom-sigfox/${packageVersion()} fleet-tool/1.2`);
    expect(list!.headers["x-soracom-lang"]).toBe("en");
    expect(list!.headers["x-soracom-api-key"]).toBeTruthy();
    expect(list!.headers["x-soracom-token"]).toBeTruthy();
  });

  it("counts calls per operation and body bytes sent and received", async () => {
    await seedOwned(["A61"]);
    const rec = recordingDispatcher();
    const c = clientFor(emu, { dispatcher: rec.dispatcher });
    const device = await c.getSigfoxDevice("A61");
    await c.putSigfoxDeviceTags("A61", [{ tagName: "a", tagValue: "b" }]);
    const s = c.stats();
    expect(s.calls).toEqual({ auth: 1, getSigfoxDevice: 1, putSigfoxDeviceTags: 1 });
    expect(s.requests).toEqual({ auth: 1, getSigfoxDevice: 1, putSigfoxDeviceTags: 1 });
    const sent = rec.requests.reduce((n, r) => n + (r.body ? Buffer.byteLength(r.body) : 0), 0);
    expect(s.bytesSent).toBe(sent);
    expect(s.bytesSent).toBeGreaterThan(Buffer.byteLength(JSON.stringify([{ tagName: "a", tagValue: "b" }])));
    expect(s.bytesReceived).toBeGreaterThan(Buffer.byteLength(JSON.stringify(device)));
    c.resetStats();
    expect(c.stats().calls).toEqual({});
  });

  it("a trailing /v1 on the endpoint is tolerated", async () => {
    const c = clientFor(emu, { endpoint: `${emu.url}/v1/` });
    await expect(c.listSigfoxDevices()).resolves.toMatchObject({ items: [] });
  });
});

describe("process-wide state", () => {
  it("a client keeps working after resetSharedClientState closes the shared pools", async () => {
    const c = new SoracomClient({ endpoint: emu.url, credentials: { authKeyId: emu.credentials.authKeyId, authKey: emu.credentials.authKey }, env: {} });
    await c.listSigfoxDevices();
    await resetSharedClientState();
    await expect(c.listSigfoxDevices()).resolves.toEqual({ items: [] });
  });
});
