/**
 * `soracom-sigfox import` against the emulator over real HTTP: the selection flags, the factoring
 * into defaults (with per-device differences, tag removal included), the exact round trip through
 * the fleet loader, the devices CSV, list calls only, and no file written or replaced on any error.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { importFleet, type ImportIo } from "../../src/cli/commands/import";
import { startEmulator, type RunningEmulator } from "../../src/emulator";
import { loadFleetDefinition } from "../../src/fleet";
import { fixtureDir } from "../fleet/helpers";
import { apiCallsWithoutAuth, emulatorClientEnv } from "../helpers/common";

const G1 = "11111111-1111-4111-8111-111111111111";
const G2 = "22222222-2222-4222-8222-222222222222";

let emu: RunningEmulator;
let env: NodeJS.ProcessEnv;

/** The account: 7 devices of the operator (one terminated) and one of another operator. */
const ACCOUNT = [
  { deviceId: "1A2B3C01", status: "active", groupId: G1, tags: { project: "vending", site: "tokyo" }, terminationEnabled: false },
  { deviceId: "1A2B3C02", status: "ready", groupId: G1, tags: { project: "vending", site: "osaka" }, terminationEnabled: false },
  { deviceId: "1A2B3C03", status: "active", groupId: G1, tags: { project: "vending", site: "tokyo" }, terminationEnabled: true },
  // lacks the default tag "project": must come out without it (project: null)
  { deviceId: "1A2B3C04", status: "active", groupId: G2, tags: { site: "kyoto" }, terminationEnabled: false },
  // in no group while the default is G1: groupId: null
  { deviceId: "2C", status: "ready", tags: { project: "vending", site: "tokyo", "floor 2/room": "東京" }, terminationEnabled: false },
  { deviceId: "00000FFF", status: "instock", groupId: G1, tags: { project: "vending" }, terminationEnabled: false },
  { deviceId: "1A2B3C09", status: "terminated", groupId: G1, tags: { project: "vending" }, terminationEnabled: true },
] as const;

function run(args: string[], cwd: string, runEnv: NodeJS.ProcessEnv = env) {
  const out: string[] = [];
  const err: string[] = [];
  const io: ImportIo = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: runEnv, cwd };
  return importFleet(args, io).then((code) => ({ code, stdout: out.join(""), stderr: err.join("") }));
}

const calls = () => apiCallsWithoutAuth(emu);

beforeAll(async () => {
  emu = await startEmulator({ seed: { operators: [{ operatorId: "OP0000000002" }], groups: [{ groupId: G1 }, { groupId: G2 }] } });
  await emu.control.seed({
    devices: [
      ...ACCOUNT.map((d) => ({ ...d, tags: { ...d.tags }, ownerOperatorId: emu.credentials.operatorId })),
      { deviceId: "7777", ownerOperatorId: "OP0000000002", status: "active" as const, tags: { project: "vending" } },
    ],
  });
  env = emulatorClientEnv(emu);
});
afterAll(async () => {
  await emu?.close();
});
beforeEach(async () => {
  await emu.control.clearRequests();
});

describe("soracom-sigfox import", () => {
  it("writes every device but terminated ones, sorted by ID, factored into defaults, adopt-only, with list calls only", async () => {
    const dir = fixtureDir({});
    const r = await run([], dir);
    expect(r.code).toBe(0);
    expect(await calls()).toEqual({ listSigfoxDevices: 1 });
    const text = fs.readFileSync(path.join(dir, "fleet.yaml"), "utf8");
    expect(parse(text)).toEqual({
      version: 1,
      defaults: { adoptOnly: true, terminationEnabled: false, groupId: G1, tags: { project: "vending" } },
      devices: [
        { deviceId: "2C", groupId: null, tags: { "floor 2/room": "東京", site: "tokyo" } },
        { deviceId: "00000FFF" },
        { deviceId: "1A2B3C01", tags: { site: "tokyo" } },
        { deviceId: "1A2B3C02", tags: { site: "osaka" } },
        { deviceId: "1A2B3C03", terminationEnabled: true, tags: { site: "tokyo" } },
        { deviceId: "1A2B3C04", groupId: G2, tags: { project: null, site: "kyoto" } },
      ],
    });
    expect(text).toMatch(/^# Written by `soracom-sigfox import`: 6 existing devices/);
    expect(r.stderr).toContain("Wrote fleet.yaml: 6 devices, adopt-only; 7 listed.");
    expect(r.stderr).toContain(`  group ${G1}: 4\n  group ${G2}: 1\n  group (none): 1\n`);
    expect(r.stdout).toBe("");

    // The loader reads it back into exactly the devices as the API reports them.
    const loaded = loadFleetDefinition(path.join(dir, "fleet.yaml"), { env: {} });
    const live = (await emu.control.state()).devices.filter((d) => d.ownerOperatorId === emu.credentials.operatorId && d.status !== "terminated");
    expect(
      loaded.devices
        .map((d) => ({ id: d.deviceId, tags: d.tags, groupId: d.groupId ?? null, flag: d.terminationEnabled ?? false, adoptOnly: d.adoptOnly }))
        .sort((a, b) => a.id.localeCompare(b.id)),
    ).toEqual(
      live
        .map((d) => ({ id: d.deviceId, tags: d.tags, groupId: d.groupId ?? null, flag: d.terminationEnabled, adoptOnly: true }))
        .sort((a, b) => a.id.localeCompare(b.id)),
    );
  });

  it.each([
    [
      ["--tag", "site=tokyo"],
      ["2C", "1A2B3C01", "1A2B3C03"],
    ],
    [["--tag", "project=vending", "--tag", "site=osaka"], ["1A2B3C02"]],
    [["--tag-prefix", "site=kyo"], ["1A2B3C04"]],
    [["--group", G2], ["1A2B3C04"]],
    [
      ["--status", "ready"],
      ["2C", "1A2B3C02"],
    ],
    [
      ["--status", "terminated,instock"],
      ["00000FFF", "1A2B3C09"],
    ],
  ])("selects with %j", async (flags, ids) => {
    const dir = fixtureDir({});
    const r = await run([...flags, "--format", "json"], dir);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as { devices: number; output: string };
    expect(summary.devices).toBe(ids.length);
    expect(summary.output).toBe(path.join(dir, "fleet.yaml"));
    expect(loadFleetDefinition(path.join(dir, "fleet.yaml"), { env: {} }).devices.map((d) => d.deviceId)).toEqual(ids);
    const c = await calls();
    expect(Object.keys(c)).toEqual(["listSigfoxDevices"]);
  });

  it("--format json prints the summary on stdout", async () => {
    const dir = fixtureDir({});
    const r = await run(["--format", "json", "-o", "out/../mine.yaml"], dir);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      output: path.join(dir, "mine.yaml"),
      devicesCsv: null,
      devices: 6,
      listed: 7,
      groups: { [G1]: 4, [G2]: 1, none: 1 },
      statuses: { ready: 2, instock: 1, active: 3 },
    });
  });

  it("--devices-csv: the CSV holds each device's full group and tags, the fleet file names it and keeps the devices a row cannot hold", async () => {
    const dir = fixtureDir({});
    fs.mkdirSync(path.join(dir, "csv"));
    const r = await run(["--devices-csv", "csv/devices.csv", "--output", "fleet.yaml"], dir);
    expect(r.stderr).not.toContain("failed");
    expect(r.code).toBe(0);
    const definition = parse(fs.readFileSync(path.join(dir, "fleet.yaml"), "utf8")) as Record<string, unknown>;
    expect(definition).toEqual({
      version: 1,
      defaults: { adoptOnly: true, terminationEnabled: false },
      devicesCsv: "csv/devices.csv",
      // its flag differs from the default: a CSV row has no flag column
      devices: [{ deviceId: "1A2B3C03", groupId: G1, terminationEnabled: true, tags: { project: "vending", site: "tokyo" } }],
    });
    expect(fs.readFileSync(path.join(dir, "csv/devices.csv"), "utf8")).toBe(
      [
        "device_id,group_id,tag:floor 2/room,tag:project,tag:site",
        "2C,,東京,vending,tokyo",
        `00000FFF,${G1},,vending,`,
        `1A2B3C01,${G1},,vending,tokyo`,
        `1A2B3C02,${G1},,vending,osaka`,
        `1A2B3C04,${G2},,,kyoto`,
        "",
      ].join("\n"),
    );
    const loaded = loadFleetDefinition(path.join(dir, "fleet.yaml"), { env: {} });
    expect(loaded.devices).toHaveLength(6);
    expect(loaded.devices.find((d) => d.deviceId === "1A2B3C04")).toMatchObject({ tags: { site: "kyoto" }, groupId: G2, adoptOnly: true });
    expect(r.stderr).toContain("Wrote fleet.yaml: 6 devices (5 of them in csv/devices.csv), adopt-only; 7 listed.");
  });

  it("refuses to replace an existing file without --force (exit 2, no API call), replaces it with --force", async () => {
    const dir = fixtureDir({ "fleet.yaml": "devices: []\n", "devices.csv": "device_id\n" });
    const refused = await run([], dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("--output fleet.yaml already exists: pass --force to replace it, or choose another --output");
    const csvRefused = await run(["-o", "new.yaml", "--devices-csv", "devices.csv"], dir);
    expect(csvRefused.code).toBe(2);
    expect(csvRefused.stderr).toContain("--devices-csv devices.csv already exists");
    expect(fs.existsSync(path.join(dir, "new.yaml"))).toBe(false);
    expect(await calls()).toEqual({});
    expect(fs.readFileSync(path.join(dir, "fleet.yaml"), "utf8")).toBe("devices: []\n");
    expect((await run(["--force"], dir)).code).toBe(0);
    expect(loadFleetDefinition(path.join(dir, "fleet.yaml"), { env: {} }).devices).toHaveLength(6);
  });

  it.each([
    [["--tag", "site"], /--tag "site": expected NAME=VALUE/],
    [["--group", "nope"], /--group "nope": expected a Soracom group ID/],
    [["--status", "gone"], /--status "gone": expected a comma-separated list/],
    [["--format", "xml"], /--format "xml": expected text or json/],
    [["--output", ""], /--output needs a file name/],
    [["--devices-csv", "fleet.yaml"], /--devices-csv must name another file than --output/],
    [["--bogus"], /Unknown option '--bogus'/],
  ])("bad usage %j: exit 2 naming the flag, nothing read or written", async (flags, message) => {
    const dir = fixtureDir({});
    const r = await run(flags, dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(await calls()).toEqual({});
  });

  it("no device selected: exit 3, nothing written", async () => {
    const dir = fixtureDir({});
    const r = await run(["--tag", "site=nowhere"], dir);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("no device matched the selection");
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("an API failure (bad credentials): exit 1, nothing written or replaced, no secret in the message", async () => {
    const dir = fixtureDir({ "fleet.yaml": "devices: []\n" });
    const r = await run(["--force"], dir, { ...env, SORACOM_AUTH_KEY: "secret-wrong-key-1234567890" });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/listing the devices failed: .*\(auth\)\. Nothing was written\./);
    expect(r.stderr).not.toContain("secret-wrong-key-1234567890");
    expect(fs.readdirSync(dir)).toEqual(["fleet.yaml"]);
    expect(fs.readFileSync(path.join(dir, "fleet.yaml"), "utf8")).toBe("devices: []\n");
  });

  it("a target folder that does not exist: exit 1 naming the file, nothing written", async () => {
    const dir = fixtureDir({});
    const r = await run(["--output", "missing/fleet.yaml"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/writing failed: missing\/\.fleet\.yaml\.\d+\.tmp: ENOENT\. Nothing was written\./);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("warns about instock devices (pulumi up cannot adopt them without a PAC)", async () => {
    const r = await run(["--status", "instock"], fixtureDir({}));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("warning: 1 selected device(s) are instock");
  });

  it('a device the fleet format cannot hold (a tag named "."): exit 1 naming it, nothing written', async () => {
    await emu.control.seed({
      devices: [{ deviceId: "DDDD", ownerOperatorId: emu.credentials.operatorId, status: "active", tags: { ".": "x", marker: "dot" } }],
    });
    const dir = fixtureDir({});
    const r = await run(["--tag", "marker=dot"], dir).finally(() => emu.control.removeDevice("DDDD", { forget: true }));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/would not declare the devices exactly as they are:\n {2}- device DDDD: the tag name "\." is not valid/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it("--help documents the flags and the exit codes", async () => {
    const r = await run(["--help"], fixtureDir({}));
    expect(r.code).toBe(0);
    for (const flag of ["--tag", "--tag-prefix", "--group", "--status", "--output", "--devices-csv", "--force", "--format", "Exit codes: 0 written"])
      expect(r.stdout).toContain(flag);
  });
});
