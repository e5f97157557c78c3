/**
 * The device directory against the emulator over real HTTP: the same answers as one GET per device,
 * for at most `min(N, ceil(A/100)) + 20` calls, whatever the look-up order.
 */
import { describe, expect, it } from "vitest";
import type { SigfoxDevice } from "../../src/api/schemas";
import { DeviceDirectory } from "../../src/provider/device-directory";
import { clientFor, useEmulator } from "../client/helpers";

const emu = useEmulator();

const hexId = (i: number) => (0x100000 + i).toString(16).toUpperCase();

async function seedAccount(count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => hexId(i));
  const operatorId = emu.credentials.operatorId;
  for (let i = 0; i < ids.length; i += 1000) {
    await emu.control.seed({
      devices: ids.slice(i, i + 1000).map((deviceId, j) => ({ deviceId, ownerOperatorId: operatorId, status: "ready" as const, tags: { n: String(i + j) } })),
    });
  }
  await emu.control.clearRequests();
  return ids;
}

/** Looks every ID up, `parallel` at a time (as the engine runs reads), in the given order. */
async function lookUpAll(directory: DeviceDirectory, ids: string[], parallel = 8): Promise<Map<string, SigfoxDevice | undefined>> {
  const results = new Map<string, SigfoxDevice | undefined>();
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++] as string;
      results.set(id, await directory.lookup(id));
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return results;
}

async function apiCalls(): Promise<{ get: number; list: number; total: number }> {
  const calls = await emu.control.calls();
  const get = calls.getSigfoxDevice ?? 0;
  const list = calls.listSigfoxDevices ?? 0;
  return { get, list, total: Object.entries(calls).reduce((sum, [op, n]) => sum + (op === "auth" ? 0 : (n ?? 0)), 0) };
}

/** A deterministic shuffle (the engine reads in state order, which need not be the listing's). */
function shuffled<T>(items: T[], seed = 7): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe("device directory", () => {
  it("serves a small stack in a large account with GETs only (never lists the account)", async () => {
    const ids = await seedAccount(3000);
    const directory = new DeviceDirectory(clientFor(emu));
    const results = await lookUpAll(directory, [ids[5], ids[1500], ids[2999]] as string[]);
    expect([...results.values()].map((d) => d?.tags?.n)).toEqual(["5", "1500", "2999"]);
    expect(await apiCalls()).toEqual({ get: 3, list: 0, total: 3 });
  });

  it("answers a stack that is the whole account from one listing, in any order", async () => {
    const ids = await seedAccount(1500);
    const directory = new DeviceDirectory(clientFor(emu));
    const results = await lookUpAll(directory, shuffled(ids));
    for (const [id, device] of results) expect(device?.device_id).toBe(id);
    const calls = await apiCalls();
    expect(calls.total).toBeLessThanOrEqual(Math.min(1500, Math.ceil(1500 / 100)) + 20);
    expect(calls.list).toBe(15);
  });

  it("stays within N + 20 calls for a mid-sized stack in a much larger account", async () => {
    const ids = await seedAccount(4000);
    const stack = shuffled(ids).slice(0, 30);
    const directory = new DeviceDirectory(clientFor(emu));
    const results = await lookUpAll(directory, stack);
    for (const [id, device] of results) expect(device?.device_id).toBe(id);
    expect((await apiCalls()).total).toBeLessThanOrEqual(Math.min(30, 40) + 20);
  });

  it("reports a device gone only after a GET confirmed it, and finds one created after the listing passed it", async () => {
    const ids = await seedAccount(300);
    const gone = ids[250] as string;
    await emu.control.removeDevice(gone, { forget: true });
    const directory = new DeviceDirectory(clientFor(emu), { directLookups: 0 });
    const results = await lookUpAll(directory, ids);
    expect(results.get(gone)).toBeUndefined();
    expect([...results.values()].filter((d) => d !== undefined)).toHaveLength(299);
    // The listing is complete; a device that sorts before every listed one appears afterwards.
    const late = "1";
    await emu.control.seed({ devices: [{ deviceId: late, ownerOperatorId: emu.credentials.operatorId, status: "ready" }] });
    expect((await directory.lookup(late))?.device_id).toBe(late);
    const calls = await apiCalls();
    expect(calls.list).toBe(3);
    // One GET confirmed the gone device, one found the late one: nothing else was read twice.
    expect(calls.get).toBe(2);
  });

  it("answers each listed entry once: a second look-up of the same device is a fresh GET", async () => {
    const ids = await seedAccount(200);
    const directory = new DeviceDirectory(clientFor(emu), { directLookups: 0 });
    await lookUpAll(directory, ids);
    await emu.control.mutateDevice(ids[10] as string, { tags: { n: "changed" } });
    await emu.control.clearRequests();
    expect((await directory.lookup(ids[10] as string))?.tags).toEqual({ n: "changed" });
    expect(await apiCalls()).toMatchObject({ get: 1, list: 0 });
  });

  it("falls back to GETs, with the same answers, when a listing page fails", async () => {
    const ids = await seedAccount(500);
    await emu.control.injectFault({ operation: "listSigfoxDevices", status: 400, count: 1 });
    const directory = new DeviceDirectory(clientFor(emu), { directLookups: 0 });
    const results = await lookUpAll(directory, ids.slice(0, 50));
    for (const [id, device] of results) expect(device?.device_id).toBe(id);
    const calls = await apiCalls();
    expect(calls.list).toBe(1);
    expect(calls.get).toBe(50);
  });

  it("expires listed entries after maxAgeMs", async () => {
    const ids = await seedAccount(150);
    let now = 0;
    const directory = new DeviceDirectory(clientFor(emu), { directLookups: 0, maxAgeMs: 1000, now: () => now });
    await directory.lookup(ids[0] as string);
    await emu.control.clearRequests();
    now = 5000;
    expect((await directory.lookup(ids[1] as string))?.device_id).toBe(ids[1]);
    expect(await apiCalls()).toMatchObject({ get: 1 });
  });

  it("starts over once its last listing is older than maxAgeMs (a process that outlives one operation)", async () => {
    const ids = await seedAccount(150);
    let now = 0;
    const directory = new DeviceDirectory(clientFor(emu), { directLookups: 0, maxAgeMs: 1000, now: () => now });
    await lookUpAll(directory, ids);
    await emu.control.mutateDevice(ids[0] as string, { tags: { n: "changed" } });
    await emu.control.clearRequests();
    now = 5000;
    const results = await lookUpAll(directory, ids);
    expect(results.get(ids[0] as string)?.tags).toEqual({ n: "changed" });
    expect(await apiCalls()).toMatchObject({ list: 2, get: 0 });
  });
});
