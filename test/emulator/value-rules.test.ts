/**
 * One home for value rules (src/api/values.ts): the provider's `check`, the fleet loader, the client
 * and the emulator accept and refuse the same tag names, tag values, tag counts and product
 * certification IDs. Each value goes through all four; any disagreement fails.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_TAG_NAME_LENGTH, MAX_TAG_VALUE_LENGTH, MAX_TAGS_PER_DEVICE, MAX_PRODUCT_CERTIFICATION_ID_LENGTH } from "../../src/api/values";
import { SoracomClient, isSoracomApiError } from "../../src/client";
import { startEmulator, type RunningEmulator } from "../../src/emulator";
import { loadFleetDefinition } from "../../src/fleet/load";
import { check } from "../../src/provider/sigfox-device";
import { Api } from "./harness";

const PAC = "0123456789ABCDEF";
const OP = "OP0012345678";

/** A tag map of `n` tags. */
const manyTags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`t${i}`, "1"]));

/** [label, tags] — each is a whole tag map for one device. */
const TAG_CASES: [string, Record<string, string>][] = [
  ["plain", { site: "tokyo" }],
  ["spaces, slash, non-ASCII", { "floor 2/room": "東京" }],
  ["empty name", { "": "x" }],
  ['name "."', { ".": "x" }],
  ['name ".."', { "..": "x" }],
  ["name at the limit", { ["n".repeat(MAX_TAG_NAME_LENGTH)]: "x" }],
  ["name over the limit", { ["n".repeat(MAX_TAG_NAME_LENGTH + 1)]: "x" }],
  ["empty value", { site: "" }],
  ["value at the limit", { site: "v".repeat(MAX_TAG_VALUE_LENGTH) }],
  ["value over the limit", { site: "v".repeat(MAX_TAG_VALUE_LENGTH + 1) }],
  ["tags at the limit", manyTags(MAX_TAGS_PER_DEVICE)],
  ["tags over the limit", manyTags(MAX_TAGS_PER_DEVICE + 1)],
];

const CERTIFICATION_CASES: [string, string][] = [
  ["a certification ID", "P_0006_7A5B_01"],
  ["empty", ""],
  ["at the limit", "p".repeat(MAX_PRODUCT_CERTIFICATION_ID_LENGTH)],
  ["over the limit", "p".repeat(MAX_PRODUCT_CERTIFICATION_ID_LENGTH + 1)],
];

let emu: RunningEmulator;
let client: SoracomClient;
let raw: Api;
let next = 0x7a000000;

beforeAll(async () => {
  emu = await startEmulator();
  client = new SoracomClient({ endpoint: emu.url, env: {}, credentials: { authKeyId: emu.credentials.authKeyId, authKey: emu.credentials.authKey } });
  raw = new Api(emu.url);
  await raw.login({ authKeyId: emu.credentials.authKeyId, authKey: emu.credentials.authKey });
});
afterAll(() => emu.close());

async function provider(inputs: Record<string, unknown>): Promise<boolean> {
  return ((await check({}, { deviceId: "1A2B3C", registrationSecret: PAC, ...inputs })).failures ?? []).length === 0;
}

function fleet(device: Record<string, unknown>): boolean {
  try {
    loadFleetDefinition({ devices: [{ deviceId: "1A2B3C", pac: PAC, ...device }] }, { env: {} });
    return true;
  } catch {
    return false;
  }
}

/** Accepted = the call reached the emulator and succeeded; refused before any call = false. */
async function viaClient(call: () => Promise<unknown>): Promise<boolean> {
  const before = await emu.control.requests();
  try {
    await call();
    return true;
  } catch (err) {
    if (!isSoracomApiError(err) || err.code !== "validation") throw err;
    expect((await emu.control.requests()).length).toBe(before.length);
    return false;
  }
}

/** Every part accepted, or every part refused. */
function expectAgreement(verdicts: Record<string, boolean>): void {
  const all = Object.values(verdicts);
  expect(all.every((v) => v === all[0]), JSON.stringify(verdicts)).toBe(true);
}

async function freshNetworkDevice(): Promise<string> {
  const deviceId = (next++).toString(16).toUpperCase();
  await emu.control.seed({ devices: [{ deviceId, pac: PAC }] });
  return deviceId;
}

async function freshOwnedDevice(): Promise<string> {
  const deviceId = (next++).toString(16).toUpperCase();
  await emu.control.seed({ devices: [{ deviceId, ownerOperatorId: OP }] });
  return deviceId;
}

describe("provider, fleet loader, client and emulator agree", () => {
  it.each(TAG_CASES)("tags: %s", async (_label, tags) => {
    const byProvider = await provider({ tags });
    const byFleet = fleet({ tags });

    // Client: as the registration's tag map, and as a PUT of the tags.
    const regId = await freshNetworkDevice();
    const byClientRegister = await viaClient(() => client.registerSigfoxDevice(regId, { registrationSecret: PAC, tags }));
    const putId = await freshOwnedDevice();
    const list = Object.entries(tags).map(([tagName, tagValue]) => ({ tagName, tagValue }));
    const byClientPut = await viaClient(() => client.putSigfoxDeviceTags(putId, list));

    // Emulator: the same bodies sent raw (no client in between).
    const rawRegId = await freshNetworkDevice();
    const byEmulatorRegister = (await raw.post(`/sigfox_devices/${rawRegId}/register`, { body: { registrationSecret: PAC, tags } })).status === 200;
    const rawPutId = await freshOwnedDevice();
    const byEmulatorPut = (await raw.call("PUT", `/sigfox_devices/${rawPutId}/tags`, { body: list })).status === 200;

    expectAgreement({ byProvider, byFleet, byClientRegister, byClientPut, byEmulatorRegister, byEmulatorPut });
  });

  it.each(CERTIFICATION_CASES)("productCertificationId: %s", async (_label, productCertificationId) => {
    const byProvider = await provider({ productCertificationId });
    const byFleet = fleet({ productCertificationId });
    const regId = await freshNetworkDevice();
    const byClient = await viaClient(() => client.registerSigfoxDevice(regId, { registrationSecret: PAC, productCertificationId }));
    const rawId = await freshNetworkDevice();
    const byEmulator = (await raw.post(`/sigfox_devices/${rawId}/register`, { body: { registrationSecret: PAC, productCertificationId } })).status === 200;
    expectAgreement({ byProvider, byFleet, byClient, byEmulator });
  });

  it("the cases cover both verdicts", async () => {
    const verdicts = await Promise.all(TAG_CASES.map(([, tags]) => provider({ tags })));
    expect(verdicts).toContain(true);
    expect(verdicts).toContain(false);
  });
});

describe("productCertificationId in the emulator", () => {
  it("is kept with the registration (state dump), not shown on the wire, and gone after the device leaves", async () => {
    const id = await freshNetworkDevice();
    const reg = await raw.post(`/sigfox_devices/${id}/register`, { body: { registrationSecret: PAC, productCertificationId: "P_0006_7A5B_01" } });
    expect(reg.status).toBe(200);
    expect(reg.body).not.toHaveProperty("productCertificationId");
    const stored = async () => (await emu.control.state()).devices.find((d) => d.deviceId === id)!.productCertificationId;
    expect(await stored()).toBe("P_0006_7A5B_01");
    await emu.control.removeDevice(id);
    expect(await stored()).toBeNull();
    const again = await raw.post(`/sigfox_devices/${id}/register`, { body: { registrationSecret: PAC } });
    expect(again.status).toBe(200);
    expect(await stored()).toBeNull();
  });
});
