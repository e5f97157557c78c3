/**
 * Body size limits and value limits: oversized bodies are refused with 413 before they are buffered
 * (declared Content-Length and streamed chunked bodies alike), the process does not grow, the server
 * keeps answering while such requests arrive, and bad input never gets a 500.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_TAG_VALUE_LENGTH, MAX_TAGS_PER_DEVICE } from "../../src/api/values";
import { MAX_API_BODY_BYTES } from "../../src/emulator/http/body";
import { removeCliBuild, spawnEmulator, type CliEmulator } from "./cli-process";
import { ownedDevice, requireEmulator, useLoggedInTarget } from "./harness";

interface RawAnswer {
  status: number;
  body: any;
  headers: http.IncomingHttpHeaders;
}

/**
 * Sends `totalBytes` of body to `path`, chunked (no Content-Length) unless `declaredLength` is given,
 * and stops sending as soon as the server answers (a server that reads everything gets everything).
 * Resolves with the answer and how many bytes were written before it came.
 */
function sendLargeBody(
  base: string,
  method: string,
  path: string,
  options: { totalBytes: number; declaredLength?: number; headers?: Record<string, string> },
): Promise<RawAnswer & { bytesSent: number }> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { "content-type": "application/json", ...options.headers };
    if (options.declaredLength !== undefined) headers["content-length"] = String(options.declaredLength);
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers, agent: false });
    let answered = false;
    let bytesSent = 0;
    const chunk = Buffer.alloc(64 * 1024, "a");
    const pump = () => {
      while (!answered && bytesSent < options.totalBytes) {
        bytesSent += chunk.length;
        if (!req.write(chunk)) {
          req.once("drain", pump);
          return;
        }
      }
      if (!answered) req.end();
    };
    req.on("response", (res) => {
      answered = true;
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => {
        req.destroy();
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
        }
        resolve({ status: res.statusCode ?? 0, body, headers: res.headers, bytesSent });
      });
    });
    // Writing after the server closed the connection fails; the answer (if any) came first.
    req.on("error", (err) => {
      if (!answered) reject(err);
    });
    req.write("{");
    pump();
  });
}

/** Peak resident set size of a process (Linux), in bytes. */
function peakRss(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = /VmHWM:\s+(\d+) kB/.exec(status);
  if (!kb) throw new Error("no VmHWM in /proc status");
  return Number(kb[1]) * 1024;
}

describe("oversized bodies (in process)", () => {
  const s = useLoggedInTarget();

  it("a declared 600 MB body is refused with 413 {code, message} before any of it is read", async (ctx) => {
    requireEmulator(ctx);
    const res = await sendLargeBody(s.t.url, "POST", "/v1/auth", { totalBytes: 0, declaredLength: 600_000_000 });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ code: "COM0006", message: expect.stringContaining(String(MAX_API_BODY_BYTES)) });
    expect(res.headers["connection"]).toBe("close");
    // On the API it carries the rate-limit headers like every API answer, and is logged.
    expect(res.headers["x-soracom-ratelimit-limit"]).toBeDefined();
    expect((await s.t.control!.requests()).some((r) => r.path === "/v1/auth" && r.status === 413)).toBe(true);
  });

  it("a 10 MB tag value is refused with 413 (declared) and with 413 (chunked), and the device is unchanged", async (ctx) => {
    const d = await ownedDevice(s.t, ctx, { tags: { site: "tokyo" } });
    const big = JSON.stringify([{ tagName: "big", tagValue: "v".repeat(10 * 1024 * 1024) }]);
    const declared = await s.api.call("PUT", `/sigfox_devices/${d.deviceId}/tags`, { rawBody: big });
    expect(declared.status).toBe(413);
    expect(declared.body.code).toBe("COM0006");
    const auth = { "x-soracom-api-key": s.api.apiKey, "x-soracom-token": s.api.token };
    const chunked = await sendLargeBody(s.t.url, "PUT", `/v1/sigfox_devices/${d.deviceId}/tags`, { totalBytes: 10 * 1024 * 1024, headers: auth });
    expect(chunked.status).toBe(413);
    expect(chunked.body.code).toBe("COM0006");
    // Counted as the operation it was (the route was known), like any refused call.
    expect((await s.t.control!.calls()).putSigfoxDeviceTags).toBeGreaterThanOrEqual(1);
    expect((await s.api.get(`/sigfox_devices/${d.deviceId}`)).body.tags).toEqual({ site: "tokyo" });
  });

  it("the control plane refuses an oversized body too (413, no 500)", async (ctx) => {
    requireEmulator(ctx);
    const res = await sendLargeBody(s.t.url, "POST", "/_emulator/seed", { totalBytes: 40 * 1024 * 1024 });
    expect(res.status).toBe(413);
    expect(res.body.code).toBe("COM0006");
  });

  it("routes that take no body refuse a declared oversized one as well", async (ctx) => {
    requireEmulator(ctx);
    const res = await sendLargeBody(s.t.url, "GET", "/v1/sigfox_devices", { totalBytes: 0, declaredLength: 5 * MAX_API_BODY_BYTES });
    expect(res.status).toBe(413);
  });

  it("a tag value over the limit is 400, naming the limit; a value at the limit is stored", async (ctx) => {
    const d = await ownedDevice(s.t, ctx);
    const over = await s.api.call("PUT", `/sigfox_devices/${d.deviceId}/tags`, { body: [{ tagName: "v", tagValue: "x".repeat(MAX_TAG_VALUE_LENGTH + 1) }] });
    expect(over.status).toBe(400);
    expect(over.body.message).toContain(String(MAX_TAG_VALUE_LENGTH));
    const at = await s.api.call("PUT", `/sigfox_devices/${d.deviceId}/tags`, { body: [{ tagName: "v", tagValue: "x".repeat(MAX_TAG_VALUE_LENGTH) }] });
    expect(at.status).toBe(200);
  });

  it(`more than ${MAX_TAGS_PER_DEVICE} tags on a device is 400: in one PUT, across PUTs, and at registration`, async (ctx) => {
    const tags = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ tagName: `${prefix}${i}`, tagValue: "1" }));
    const d = await ownedDevice(s.t, ctx);
    const path = `/sigfox_devices/${d.deviceId}/tags`;
    expect((await s.api.call("PUT", path, { body: tags(MAX_TAGS_PER_DEVICE + 1, "a") })).status).toBe(400);
    expect((await s.api.call("PUT", path, { body: tags(MAX_TAGS_PER_DEVICE - 10, "a") })).status).toBe(200);
    const across = await s.api.call("PUT", path, { body: tags(11, "b") });
    expect(across.status).toBe(400);
    expect(across.body.message).toContain(`at most ${MAX_TAGS_PER_DEVICE} tags`);
    expect(Object.keys((await s.api.get(`/sigfox_devices/${d.deviceId}`)).body.tags)).toHaveLength(MAX_TAGS_PER_DEVICE - 10);
    // Updating existing tags does not count them twice.
    expect((await s.api.call("PUT", path, { body: tags(MAX_TAGS_PER_DEVICE - 10, "a") })).status).toBe(200);

    const fresh = { deviceId: "7E57A001", pac: "00112233445566AA" };
    await s.t.control!.seed({ devices: [fresh] });
    const map = Object.fromEntries(tags(MAX_TAGS_PER_DEVICE + 1, "r").map((x) => [x.tagName, x.tagValue]));
    const reg = await s.api.post(`/sigfox_devices/${fresh.deviceId}/register`, { body: { registrationSecret: fresh.pac, tags: map } });
    expect(reg.status).toBe(400);
    expect(reg.text).not.toContain(fresh.pac);
  });

  it("bad input of every kind gets a 4xx with {code, message}, never a 500", async (ctx) => {
    const d = await ownedDevice(s.t, ctx);
    const dev = `/sigfox_devices/${d.deviceId}`;
    const cases: [string, string, string | undefined][] = [
      ["POST", "/auth", "not json"],
      ["POST", "/auth", "[1,2,3]"],
      ["POST", "/auth", '{"tokenTimeoutSeconds":"x"}'],
      ["POST", "/auth", "[".repeat(100_000)],
      ["POST", `${dev}/register`, "null"],
      ["POST", `${dev}/register`, '{"registrationSecret":5}'],
      ["POST", `${dev}/register`, '{"registrationSecret":"0011223344556677","productCertificationId":""}'],
      ["PUT", `${dev}/tags`, '{"tagName":"a"}'],
      ["PUT", `${dev}/tags`, '[{"tagName":"__proto__","tagValue":{}}]'],
      ["PUT", `${dev}/tags`, '[{"tagName":".","tagValue":"x"}]'],
      ["PUT", `${dev}/tags`, "\u0000\uffff"],
      ["POST", `${dev}/set_group`, '{"groupId":[]}'],
      ["POST", `${dev}/data`, '{"data":123}'],
      ["DELETE", `${dev}/tags/%E0%A4%A`, undefined],
      ["GET", "/sigfox_devices?limit=abc", undefined],
      ["GET", `${dev}/data?from=1e400`, undefined],
      ["POST", "/sigfox_devices/%ZZ/register", "{}"],
    ];
    for (const [method, path, rawBody] of cases) {
      const res = await s.api.call(method, path, rawBody !== undefined ? { rawBody } : {});
      expect({ method, path, status: res.status, hasCode: typeof res.body?.code === "string" }).toEqual({
        method,
        path,
        status: expect.toSatisfy((s: number) => s >= 400 && s < 500),
        hasCode: true,
      });
    }
  });
});

describe("oversized bodies against the CLI emulator (a process of its own)", () => {
  let emu: CliEmulator;
  beforeAll(async () => {
    emu = await spawnEmulator(["--port", "0"]);
  }, 120_000);
  afterAll(async () => {
    if (emu && emu.child.exitCode === null) {
      emu.child.kill("SIGTERM");
      await emu.exited;
    }
    removeCliBuild();
  });

  it("a streamed (chunked) 600 MB body is refused with 413 without the process growing, and health keeps answering", async (ctx) => {
    requireEmulator(ctx);
    const pid = emu.child.pid!;
    const health = async () => (await fetch(`${emu.url}/_emulator/health`)).status;
    expect(await health()).toBe(200);
    const before = peakRss(pid);

    const uploads = Array.from({ length: 3 }, () => sendLargeBody(emu.url, "POST", "/v1/auth", { totalBytes: 600 * 1024 * 1024 }));
    // Health is asked while the uploads are in flight; each must be answered.
    const healthChecks = await Promise.all([health(), health(), health()]);
    const answers = await Promise.all(uploads);

    expect(healthChecks).toEqual([200, 200, 200]);
    for (const a of answers) {
      expect(a.status).toBe(413);
      expect(a.body.code).toBe("COM0006");
      // The client stopped when the answer came: far from 600 MB was sent.
      expect(a.bytesSent).toBeLessThan(100 * 1024 * 1024);
    }
    // Peak RSS: three refused 600 MB bodies add far less than one of them (generous: 64 MB).
    expect(peakRss(pid) - before).toBeLessThan(64 * 1024 * 1024);
    expect(await health()).toBe(200);
  }, 120_000);
});
