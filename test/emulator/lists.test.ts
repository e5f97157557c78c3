/** Contract tests of pagination and filters: the device list and Harvest data entries. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { StoppedClock } from "../helpers/common";
import { type Api, loginAs, requireEmulator, startTarget, type Target } from "./harness";

let t: Target;
let api: Api;

beforeAll(async () => {
  t = await startTarget();
});
beforeEach(async (ctx) => {
  requireEmulator(ctx); // every test here seeds a fleet
  await t.control!.reset();
  api = await loginAs(t);
});
afterAll(() => t.close());

const ids = (body: { device_id: string }[]) => body.map((d) => d.device_id);

async function seedFleet(n: number, tags: (i: number) => Record<string, string> = () => ({})) {
  const operatorId = t.emulator!.credentials.operatorId;
  // Seeded in reverse order and with IDs of mixed length: the list must come back sorted by device ID.
  const devices = Array.from({ length: n }, (_, k) => n - 1 - k).map((i) => ({
    deviceId: (i % 2 === 0 ? 0x1000 + i : 0x20000 + i).toString(16).toUpperCase(),
    ownerOperatorId: operatorId,
    tags: tags(i),
  }));
  await t.control!.seed({ devices });
  return devices.map((d) => d.deviceId).sort();
}

describe("listSigfoxDevices", () => {
  it("returns the operator's devices sorted by device_id", async () => {
    const expected = await seedFleet(5);
    const res = await api.get("/sigfox_devices");
    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual(expected);
    expect(res.headers.get("x-soracom-next-key")).toBeNull();
    expect(res.headers.get("link")).toBeNull();
  });

  it("pages with limit and last_evaluated_key; non-last pages carry x-soracom-next-key and a link rel=next", async () => {
    const expected = await seedFleet(7);
    const seen: string[] = [];
    let key: string | undefined;
    let pages = 0;
    do {
      const res = await api.get("/sigfox_devices", { query: { limit: 3, last_evaluated_key: key } });
      expect(res.status).toBe(200);
      pages += 1;
      seen.push(...ids(res.body));
      const next = res.headers.get("x-soracom-next-key") ?? undefined;
      if (next !== undefined) {
        expect(next).toBe(ids(res.body).at(-1));
        expect(res.headers.get("link")).toBe(`</v1/sigfox_devices?limit=3&last_evaluated_key=${next}>; rel=next`);
      } else {
        expect(res.headers.get("link")).toBeNull();
      }
      key = next;
    } while (key !== undefined);
    expect(pages).toBe(3);
    expect(seen).toEqual(expected);
  });

  it("the link header keeps the tag filter, and following it yields the rest of the filtered list", async () => {
    await seedFleet(6, (i) => ({ "site name": i % 2 === 0 ? "tokyo 1+2" : "osaka" }));
    const first = await api.get("/sigfox_devices", { query: { tag_name: "site name", tag_value: "tokyo 1+", tag_value_match_mode: "prefix", limit: 2 } });
    expect(first.body).toHaveLength(2);
    const link = first.headers.get("link")!;
    const path = /^<\/v1([^>]+)>; rel=next$/.exec(link)![1]!;
    expect(path).toContain("tag_name=site%20name");
    expect(path).toContain("tag_value=tokyo%201%2B");
    expect(path).toContain("tag_value_match_mode=prefix");
    const second = await api.get(path);
    expect(ids(second.body)).toHaveLength(1);
    expect(second.headers.get("link")).toBeNull();
  });

  it("filters by tag_name/tag_value exactly by default and by prefix with tag_value_match_mode=prefix", async () => {
    await seedFleet(4, (i) => ({ site: ["tokyo", "tokyo-2", "osaka", "kyoto"][i]! }));
    const exact = await api.get("/sigfox_devices", { query: { tag_name: "site", tag_value: "tokyo" } });
    expect(exact.body.map((d: { tags: { site: string } }) => d.tags.site)).toEqual(["tokyo"]);
    const prefix = await api.get("/sigfox_devices", { query: { tag_name: "site", tag_value: "tokyo", tag_value_match_mode: "prefix" } });
    expect(prefix.body.map((d: { tags: { site: string } }) => d.tags.site).sort()).toEqual(["tokyo", "tokyo-2"]);
    const bad = await api.get("/sigfox_devices", { query: { tag_name: "site", tag_value: "x", tag_value_match_mode: "regex" } });
    expect(bad.status).toBe(400);
  });

  it("caps a large limit at the server page size (100) instead of returning everything", async () => {
    await seedFleet(120);
    const res = await api.get("/sigfox_devices", { query: { limit: 1000 } });
    expect(res.body).toHaveLength(100);
    expect(res.headers.get("x-soracom-next-key")).toBe(res.body[99].device_id);
  });
});

describe("getDataFromSigfoxDevice", () => {
  async function deviceWithUplinks(n: number) {
    const control = t.control!;
    const deviceId = "D47A";
    await control.seed({ devices: [{ deviceId, ownerOperatorId: t.emulator!.credentials.operatorId }] });
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      await control.advanceClock(60);
      times.push((await control.uplink(deviceId, { data: i.toString(16).padStart(2, "0") })).dataEntry.time!);
    }
    // Keep the token valid whatever the advance did.
    api = await loginAs(t);
    return { deviceId, times };
  }

  it("returns the newest 10 entries first by default", async () => {
    const { deviceId, times } = await deviceWithUplinks(12);
    const res = await api.get(`/sigfox_devices/${deviceId}/data`);
    expect(res.status).toBe(200);
    expect(res.body.map((e: { time: number }) => e.time)).toEqual([...times].reverse().slice(0, 10));
    expect(res.headers.get("x-soracom-next-key")).toBe(String(times[2]));
  });

  it("pages in ascending order with the time of the last entry as the cursor, within from/to (inclusive)", async () => {
    const { deviceId, times } = await deviceWithUplinks(8);
    const from = times[1]!;
    const to = times[6]!;
    const got: number[] = [];
    let key: string | undefined;
    do {
      const res = await api.get(`/sigfox_devices/${deviceId}/data`, { query: { from, to, sort: "asc", limit: 2, last_evaluated_key: key } });
      expect(res.status).toBe(200);
      got.push(...res.body.map((e: { time: number }) => e.time));
      key = res.headers.get("x-soracom-next-key") ?? undefined;
      if (key) {
        expect(res.headers.get("link")).toBe(
          `</v1/sigfox_devices/${deviceId}/data?from=${from}&to=${to}&sort=asc&limit=2&last_evaluated_key=${key}>; rel=next`,
        );
      }
    } while (key !== undefined);
    expect(got).toEqual(times.slice(1, 7));
  });

  describe("on a clock that stands still", () => {
    let stopped: Target;
    beforeAll(async () => {
      stopped = await startTarget({ clock: new StoppedClock() });
    });
    afterAll(() => stopped.close());

    it("uplinks within one millisecond get increasing times and the clock moves up to the newest, so a read up to now returns them all", async () => {
      const control = stopped.control!;
      const deviceId = "D47B";
      await control.seed({ devices: [{ deviceId, ownerOperatorId: stopped.emulator!.credentials.operatorId }] });
      const start = (await control.clock()).nowMs;
      const times: number[] = [];
      for (let i = 0; i < 4; i++) times.push((await control.uplink(deviceId)).dataEntry.time!);
      expect(times).toEqual([start, start + 1, start + 2, start + 3]);
      const now = (await control.clock()).nowMs;
      expect(now).toBe(start + 3);

      const res = await (await loginAs(stopped)).get(`/sigfox_devices/${deviceId}/data`, { query: { to: now, sort: "asc" } });
      expect(res.body.map((e: { time: number }) => e.time)).toEqual(times);
    });
  });

  it("refuses limit outside 1..1000, a bad sort and non-numeric from/to with 400", async () => {
    const { deviceId } = await deviceWithUplinks(1);
    for (const query of [{ limit: 0 }, { limit: 1001 }, { sort: "newest" }, { from: "yesterday" }, { to: "1.5" }]) {
      const res = await api.get(`/sigfox_devices/${deviceId}/data`, { query });
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.body.code).toBeTruthy();
    }
    expect((await api.get(`/sigfox_devices/${deviceId}/data`, { query: { limit: 1000 } })).status).toBe(200);
  });

  it("answers 404 for an unknown device", async () => {
    expect((await api.get(`/sigfox_devices/FFFFFFFF/data`)).status).toBe(404);
  });
});
