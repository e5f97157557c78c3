/**
 * The state file: changes survive a restart, the file is written atomically, and a SIGKILL in the middle
 * of a stream of writes never leaves a torn file or loses an acknowledged change.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmulatorControl, startEmulator } from "../../src/emulator";
import { EmulatorState } from "../../src/emulator/model/state";
import { Api, requireEmulator } from "./harness";
import { buildCli, removeCliBuild, spawnEmulator, type CliEmulator } from "./cli-process";

let dir: string;
const children: CliEmulator[] = [];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "sigfox-emu-state-"));
});
afterAll(() => {
  for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill("SIGKILL");
  fs.rmSync(dir, { recursive: true, force: true });
  removeCliBuild();
});

async function login(url: string): Promise<Api> {
  const api = new Api(url);
  const res = await api.login({ authKeyId: "keyId-emulator", authKey: "secret-emulator" });
  expect(res.status).toBe(200);
  return api;
}

describe("state file (in process)", () => {
  it("a restarted emulator sees the same devices, tokens and emulator clock", async (ctx) => {
    requireEmulator(ctx);
    const stateFile = path.join(dir, "restart.json");
    const first = await startEmulator({ stateFile, seed: { devices: [{ deviceId: "1A2B", pac: "0123456789ABCDEF" }] } });
    const api = await login(first.url);
    expect((await api.post("/sigfox_devices/1A2B/register", { body: { registrationSecret: "0123456789ABCDEF", tags: { a: "1" } } })).status).toBe(200);
    await first.control.advanceClock(3600);
    const clockBefore = (await first.control.clock()).offsetMs;
    await first.close();

    expect(fs.statSync(stateFile).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);

    const second = await startEmulator({ stateFile });
    try {
      const again = new Api(second.url);
      Object.assign(again, { apiKey: api.apiKey, token: api.token });
      const res = await again.get("/sigfox_devices/1A2B");
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: "ready", tags: { a: "1" } });
      expect((await second.control.clock()).offsetMs).toBe(clockBefore);
    } finally {
      await second.close();
    }
  });

  it("applies the seed only when the state file is new, so a restart keeps what clients changed", async (ctx) => {
    requireEmulator(ctx);
    const stateFile = path.join(dir, "seeded.json");
    const seed = { devices: [{ deviceId: "5EED", ownerOperatorId: "OP0012345678", tags: { v: "seed" } }] };
    const first = await startEmulator({ stateFile, seed });
    expect(first.seedApplied).toBe(true);
    const api = await login(first.url);
    await api.call("PUT", "/sigfox_devices/5EED/tags", { body: [{ tagName: "v", tagValue: "changed" }] });
    await first.close();
    const second = await startEmulator({ stateFile, seed });
    expect(second.seedApplied).toBe(false);
    try {
      const again = await login(second.url);
      expect((await again.get("/sigfox_devices/5EED")).body.tags).toEqual({ v: "changed" });
    } finally {
      await second.close();
    }
  });

  it("refuses to start on a state file that does not parse, instead of silently starting empty", async (ctx) => {
    requireEmulator(ctx);
    const stateFile = path.join(dir, "corrupt.json");
    fs.writeFileSync(stateFile, '{"version":1,"devices":');
    await expect(startEmulator({ stateFile })).rejects.toThrow();
  });
});

describe("soracom-sigfox emulator (child process)", () => {
  beforeAll(() => {
    buildCli();
  }, 120_000);

  it("prints the URL and the export line for SORACOM_ENDPOINT and the auth key, and exits 0 on SIGTERM", async (ctx) => {
    requireEmulator(ctx);
    const emu = await spawnEmulator(["--port", "0"]);
    children.push(emu);
    expect(emu.stdout()).toContain(`export SORACOM_ENDPOINT=${emu.url} SORACOM_AUTH_KEY_ID=keyId-emulator SORACOM_AUTH_KEY=secret-emulator`);
    expect((await fetch(`${emu.url}/_emulator/health`)).status).toBe(200);
    emu.child.kill("SIGTERM");
    expect(await emu.exited).toEqual({ code: 0, signal: null });
  });

  it("seeds from a YAML file and enforces --rate-limit", async (ctx) => {
    requireEmulator(ctx);
    const seedFile = path.join(dir, "seed.yaml");
    fs.writeFileSync(seedFile, "devices:\n  - deviceId: C0FFEE\n    ownerOperatorId: OP0012345678\n    tags: {site: tokyo}\n");
    const emu = await spawnEmulator(["--seed", seedFile, "--rate-limit", "2"]);
    children.push(emu);
    // Align the emulator clock to the start of a minute so the rate-limit window cannot roll over mid-test.
    const control = new EmulatorControl(emu.url);
    const { nowMs } = await control.clock();
    await control.advanceClock((60_000 - (nowMs % 60_000)) / 1000);
    const api = await login(emu.url);
    const first = await api.get("/sigfox_devices/C0FFEE");
    expect(first.body.tags).toEqual({ site: "tokyo" });
    expect(first.headers.get("x-soracom-ratelimit-limit")).toBe("2");
    await api.get("/sigfox_devices/C0FFEE");
    const third = await api.get("/sigfox_devices/C0FFEE");
    expect(third.status).toBe(429);
    emu.child.kill("SIGINT");
    expect((await emu.exited).code).toBe(0);
  });

  it("after SIGKILL in the middle of a stream of writes, the file parses and no acknowledged change is lost", async (ctx) => {
    requireEmulator(ctx);
    const stateFile = path.join(dir, "crash.json");
    const workers = 4;
    const seedFile = path.join(dir, "crash-seed.json");
    fs.writeFileSync(
      seedFile,
      JSON.stringify({ devices: Array.from({ length: workers }, (_, i) => ({ deviceId: `E00${i}`, ownerOperatorId: "OP0012345678" })) }),
    );
    const first = await spawnEmulator(["--state-file", stateFile, "--seed", seedFile]);
    children.push(first);
    const api = await login(first.url);

    // Each worker writes an increasing counter into its own device's tags; a write counts as
    // acknowledged only once its 200 arrived.
    const acked = new Array<number>(workers).fill(-1);
    let stop = false;
    const run = async (w: number) => {
      for (let i = 0; !stop; i++) {
        try {
          const res = await api.call("PUT", `/sigfox_devices/E00${w}/tags`, {
            body: [
              { tagName: "counter", tagValue: String(i) },
              { tagName: `k${i % 50}`, tagValue: "x".repeat(100) },
            ],
          });
          if (res.status !== 200) throw new Error(`unexpected ${res.status}`);
          acked[w] = i;
        } catch {
          return; // the server died under us
        }
      }
    };
    const running = Array.from({ length: workers }, (_, w) => run(w));
    // Kill once every worker has had writes acknowledged, at a moment when requests are in flight.
    const deadline = Date.now() + 20_000;
    while (Math.min(...acked) < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 50)));
    first.child.kill("SIGKILL");
    stop = true;
    await Promise.all(running);
    expect((await first.exited).signal).toBe("SIGKILL");
    expect(Math.min(...acked)).toBeGreaterThanOrEqual(20); // the stream really was flowing

    // The file is whole: it parses as JSON and as an emulator state.
    const parsed = EmulatorState.parse(JSON.parse(fs.readFileSync(stateFile, "utf8")));
    expect(Object.keys(parsed.devices)).toHaveLength(workers);

    const second = await spawnEmulator(["--state-file", stateFile]);
    children.push(second);
    const after = await login(second.url);
    for (let w = 0; w < workers; w++) {
      const res = await after.get(`/sigfox_devices/E00${w}`);
      expect(res.status).toBe(200);
      // At least the last acknowledged write; possibly one more that committed but whose answer was lost.
      expect(Number(res.body.tags.counter)).toBeGreaterThanOrEqual(acked[w]!);
      expect(Number(res.body.tags.counter)).toBeLessThanOrEqual(acked[w]! + 1);
    }
    second.child.kill("SIGTERM");
    expect((await second.exited).code).toBe(0);
  });
});
