/**
 * `soracom-sigfox data export` against the emulator over real HTTP: selection, pagination, window,
 * decoding, stable JSONL/CSV, resume without duplicates, per-device failures.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { dataExport } from "../../src/cli/commands/data";
import { EXPORT_COLUMNS } from "../../src/dataplane/rows";
import { runExport } from "../../src/dataplane/export";
import { clientFor, useEmulator } from "../client/helpers";
import { apiCallsWithoutAuth, StoppedClock } from "../helpers/common";
import { emulatorEnv, jsonLines, runCommand, seedOwned, sendUplinks } from "./helpers";

const emu = useEmulator();
const GROUP = "7f3c1e2a-0b4d-4c6e-9f10-1234567890ab";
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "data-export-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const exportRun = (args: string[], options: Parameters<typeof runCommand>[3] = {}) => runCommand(dataExport, args, emu, { cwd: tmp, ...options });
const rowKeys = (rows: Array<Record<string, unknown>>) => rows.map((r) => `${String(r.deviceId)}@${String(r.time)}`);

describe("data export: selection", () => {
  it("exports only the devices the tag, group and status flags select, listing the account once", async () => {
    await seedOwned(emu, [
      { deviceId: "A0000001", tags: { site: "tokyo" } },
      { deviceId: "A0000002", tags: { site: "tokyo" }, groupId: GROUP },
      { deviceId: "A0000003", tags: { site: "osaka" }, groupId: GROUP },
    ]);
    await sendUplinks(emu, ["A0000001", "A0000002", "A0000003"], 2);
    await emu.control.clearRequests();

    const byTag = await exportRun(["--tag", "site=tokyo"]);
    expect(byTag.code).toBe(0);
    expect(new Set(jsonLines(byTag.stdout).map((r) => r.deviceId))).toEqual(new Set(["A0000001", "A0000002"]));
    expect(jsonLines(byTag.stdout)).toHaveLength(4);
    expect(await apiCallsWithoutAuth(emu)).toEqual({ listSigfoxDevices: 1, getDataFromSigfoxDevice: 2 });

    const byGroup = await exportRun(["--group", GROUP, "--tag-prefix", "site=osa"]);
    expect(new Set(jsonLines(byGroup.stdout).map((r) => r.deviceId))).toEqual(new Set(["A0000003"]));

    // Terminated devices are left out unless --status asks for them.
    await emu.control.mutateDevice("A0000003", { status: "terminated" });
    expect(new Set(jsonLines((await exportRun([])).stdout).map((r) => r.deviceId))).toEqual(new Set(["A0000001", "A0000002"]));
  });

  it("--devices and --fleet export exactly those devices without listing the account", async () => {
    await seedOwned(emu, ["B0000001", "B0000002", "B0000003"]);
    await sendUplinks(emu, ["B0000001", "B0000002", "B0000003"], 1);
    await emu.control.clearRequests();

    const explicit = await exportRun(["--devices", "B0000003,b0000001,B0000001"]);
    expect(explicit.code).toBe(0);
    expect(
      jsonLines(explicit.stdout)
        .map((r) => r.deviceId)
        .sort(),
    ).toEqual(["B0000003", "b0000001"]);
    expect(await apiCallsWithoutAuth(emu)).toEqual({ getDataFromSigfoxDevice: 2 });

    // A fleet file without any PAC: PACs do not matter to an export, and no warning about them is printed.
    fs.writeFileSync(path.join(tmp, "fleet.yaml"), 'devices:\n  - deviceId: "B0000002"\n  - deviceId: "B0000003"\n');
    await emu.control.clearRequests();
    const fleet = await exportRun(["--fleet", "fleet.yaml"]);
    expect(fleet.code).toBe(0);
    expect(fleet.stderr).not.toMatch(/PAC/);
    expect(
      jsonLines(fleet.stdout)
        .map((r) => r.deviceId)
        .sort(),
    ).toEqual(["B0000002", "B0000003"]);
    expect(await apiCallsWithoutAuth(emu)).toEqual({ getDataFromSigfoxDevice: 2 });
  });

  it("refuses mixed or malformed selections with exit 2 before any API call", async () => {
    await emu.control.clearRequests();
    const mixed = await exportRun(["--fleet", "fleet.yaml", "--tag", "site=tokyo"]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain("--fleet and --tag exclude each other");
    const both = await exportRun(["--fleet", "fleet.yaml", "--devices", "1A"]);
    expect(both.stderr).toContain("--fleet and --devices exclude each other");
    const badId = await exportRun(["--devices", "1A,XYZ"]);
    expect(badId.code).toBe(2);
    expect(badId.stderr).toContain('--devices: "XYZ" is not a device ID');
    const badTag = await exportRun(["--tag", "site"]);
    expect(badTag.stderr).toContain('--tag "site": expected NAME=VALUE');
    const missingFleet = await exportRun(["--fleet", "nope.yaml"]);
    expect(missingFleet.code).toBe(2);
    expect(missingFleet.stderr).toContain("--fleet nope.yaml");
    for (const args of [
      ["--format", "xml"],
      ["--sort", "up"],
      ["--concurrency", "0"],
      ["--from", "yesterday"],
      ["--from", "1h", "--to", "2h"],
      ["--resume"],
      ["--output", "no/such/folder/x.jsonl"],
      ["--nope"],
    ]) {
      const r = await exportRun(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toContain(`--${args[0]!.replace(/^--/, "") === "to" ? "from" : args[0]!.replace(/^--/, "")}`);
    }
    expect(await apiCallsWithoutAuth(emu)).toEqual({});
  });
});

describe("data export: pages, window, decoding", () => {
  it("reads every page of every device (1000 entries per call) with no row missing or repeated", async () => {
    const many = Array.from({ length: 30 }, (_, i) => `C1${i.toString(16).padStart(6, "0")}`);
    await seedOwned(emu, ["C0000000", ...many]);
    await sendUplinks(emu, ["C0000000"], 2345);
    await sendUplinks(emu, many, 3);
    await emu.control.clearRequests();

    const result = await exportRun(["--concurrency", "3"]);
    expect(result.code).toBe(0);
    const rows = jsonLines(result.stdout);
    expect(rows).toHaveLength(2345 + 30 * 3);
    expect(new Set(rowKeys(rows)).size).toBe(rows.length);
    // 3 pages for the big device, one for each other device, one listing.
    expect(await apiCallsWithoutAuth(emu)).toEqual({ listSigfoxDevices: 1, getDataFromSigfoxDevice: 3 + 30 });
    // Each device's rows form one block, oldest first (the default --sort asc).
    const big = rows.filter((r) => r.deviceId === "C0000000").map((r) => r.time as number);
    expect(big).toEqual([...big].sort((a, b) => a - b));
    const first = rows.findIndex((r) => r.deviceId === "C0000000");
    expect(rows.slice(first, first + 2345).every((r) => r.deviceId === "C0000000")).toBe(true);
    expect(result.stderr).toContain("2435 entries from 31 of 31 devices");
  });

  it("keeps to the window (relative or ISO, both ends inclusive) and the sort order", async () => {
    await seedOwned(emu, ["D0000001"]);
    await sendUplinks(emu, ["D0000001"], 3); // 3 hours ago, once the clock moves
    await emu.control.advanceClock(3 * 3600);
    const recentStart = (await emu.control.clock()).nowMs;
    await sendUplinks(emu, ["D0000001"], 2);
    await emu.control.advanceClock(1);

    const lastHour = jsonLines((await exportRun(["--from", "1h"])).stdout);
    expect(lastHour).toHaveLength(2);
    expect(jsonLines((await exportRun([])).stdout)).toHaveLength(5); // default: the last 24 hours

    const first = lastHour[0]!.time as number;
    const iso = new Date(first).toISOString();
    const exact = jsonLines((await exportRun(["--from", iso, "--to", iso])).stdout);
    expect(exact.map((r) => r.time)).toEqual([first]);
    const old = jsonLines((await exportRun(["--to", new Date(recentStart - 1).toISOString(), "--from", "1d"])).stdout);
    expect(old).toHaveLength(3);

    const desc = jsonLines((await exportRun(["--sort", "desc"])).stdout).map((r) => r.time as number);
    expect(desc).toEqual([...desc].sort((a, b) => b - a));
  });

  it("decodes the Sigfox fields from content and keeps the raw content; JSONL keys and CSV columns are fixed", async () => {
    await seedOwned(emu, ["E0000001"]);
    const { dataEntry } = await emu.control.uplink("E0000001", { data: "0a0b0c", seqNumber: 41, lqi: "Good" });
    const time = dataEntry.time!;
    const content = JSON.parse(dataEntry.content!) as Record<string, unknown>;

    const jsonl = await exportRun([]);
    expect(jsonl.stdout).toBe(
      `${JSON.stringify({
        deviceId: "E0000001",
        time,
        timeIso: new Date(time).toISOString(),
        data: "0a0b0c",
        seqNumber: 41,
        lqi: "Good",
        station: null,
        rssi: null,
        snr: null,
        avgSnr: null,
        operatorName: "SIGFOX_Japan_KCCS",
        countryCode: "392",
        sigfoxDevice: "E0000001",
        sigfoxTime: content.time,
        contentType: "application/json",
        content: dataEntry.content,
      })}\n`,
    );

    const csv = await exportRun(["--format", "csv"]);
    const [header, row, end] = csv.stdout.split("\n");
    expect(header).toBe(
      "deviceId,time,timeIso,data,seqNumber,lqi,station,rssi,snr,avgSnr,operatorName,countryCode,sigfoxDevice,sigfoxTime,contentType,content",
    );
    expect(EXPORT_COLUMNS.join(",")).toBe(header);
    const quoted = `"${dataEntry.content!.replace(/"/g, '""')}"`;
    expect(row).toBe(
      `E0000001,${time},${new Date(time).toISOString()},0a0b0c,41,Good,,,,,SIGFOX_Japan_KCCS,392,E0000001,${String(content.time)},application/json,${quoted}`,
    );
    expect(end).toBe("");
  });
});

describe("data export: a device sending faster than one uplink per millisecond", () => {
  // Its entries are stamped 1 ms apart, ahead of real time: the export up to "now" must still see them
  // all (this once lost the newest rows of the 2345-uplink device above on a fast run).
  const stopped = useEmulator({ clock: new StoppedClock() });

  it("the default window, up to now, holds every entry", async () => {
    await seedOwned(stopped, ["C2000001", "C2000002"]);
    await sendUplinks(stopped, ["C2000001", "C2000002"], 5);
    const result = await runCommand(dataExport, [], stopped, { cwd: tmp });
    expect(result.code).toBe(0);
    const rows = jsonLines(result.stdout);
    expect(rows).toHaveLength(10);
    expect(new Set(rowKeys(rows)).size).toBe(10);
  });
});

describe("data export: progress", () => {
  it("shows devices done / total and entries live on a terminal, and nothing but the summary elsewhere", async () => {
    await seedOwned(emu, ["9A000001", "9A000002"]);
    await sendUplinks(emu, ["9A000001", "9A000002"], 3);
    const tty = await exportRun(["--concurrency", "1"], { stderrIsTTY: true });
    expect(tty.stderr).toContain("\r\x1b[Kexport: 0/2 devices, 0 entries");
    expect(tty.stderr).toContain("\r\x1b[Kexport: 1/2 devices, 3 entries");
    expect(tty.stderr).toContain("\r\x1b[Kexport: 2/2 devices, 6 entries");
    const piped = await exportRun([]);
    expect(piped.stderr).toBe(
      `${piped.stderr
        .split("\n")
        .filter((l) => l.includes("6 entries from 2 of 2 devices"))
        .join("\n")}\n`,
    );
  });
});

describe("data export: a slow consumer", () => {
  it("waits for stdout to drain: rows of at most --concurrency devices are ever pending", async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `900000${i.toString(16).padStart(2, "0")}`);
    await seedOwned(emu, ids);
    await sendUplinks(emu, ids, 2);
    const now = (await emu.control.clock()).nowMs;
    let pending = 0;
    let maxPending = 0;
    const written: string[] = [];
    const result = await runExport({
      reader: clientFor(emu),
      deviceIds: ids,
      parameters: { from: now - 3600_000, to: now, sort: "asc", format: "jsonl", flags: {} },
      destination: {
        kind: "stdout",
        write: (text) => {
          written.push(text);
          maxPending = Math.max(maxPending, ++pending);
          return new Promise<void>((resolve) => setTimeout(() => resolve(void pending--), 20));
        },
      },
      concurrency: 2,
    });
    expect(result.entries).toBe(40);
    expect(jsonLines(written.join(""))).toHaveLength(40);
    expect(maxPending).toBeLessThanOrEqual(2);
  });
});

describe("data export: failures and --resume", () => {
  const devices = ["F0000001", "F0000002", "F0000003", "F0000004", "F0000005"];
  const setup = async () => {
    await seedOwned(emu, devices);
    await sendUplinks(emu, devices, 4);
  };

  it("reports a failing device, writes the others, exits 1; --resume then reads only that device", async () => {
    await setup();
    const out = path.join(tmp, "failed.jsonl");
    await emu.control.clearRequests();
    await emu.control.injectFault({ operation: "getDataFromSigfoxDevice", status: 400, count: 1 });
    const first = await exportRun(["--devices", devices.join(","), "--concurrency", "1", "-o", out]);
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/device F0000001 failed \(validation\): .*HTTP 400/);
    expect(first.stderr).toContain("--resume to retry the failed devices only");
    expect(jsonLines(fs.readFileSync(out, "utf8"))).toHaveLength(16);
    expect(fs.existsSync(`${out}.resume.json`)).toBe(true);

    await emu.control.clearRequests();
    const resumed = await exportRun(["--devices", devices.join(","), "--concurrency", "1", "-o", out, "--resume"]);
    expect(resumed.code).toBe(0);
    expect(await apiCallsWithoutAuth(emu)).toEqual({ getDataFromSigfoxDevice: 1 });
    const rows = jsonLines(fs.readFileSync(out, "utf8"));
    expect(rows).toHaveLength(20);
    expect(new Set(rowKeys(rows)).size).toBe(20);
    expect(fs.existsSync(`${out}.resume.json`)).toBe(false);
    expect(resumed.stderr).toContain("4 already exported by the interrupted run");
  });

  it("an export interrupted midway, with a torn last write, resumes to exactly the rows of an uninterrupted export", async () => {
    await setup();
    const complete = path.join(tmp, "complete.csv");
    expect((await exportRun(["--format", "csv", "-o", complete, "--from", "1h"])).code).toBe(0);

    const out = path.join(tmp, "interrupted.csv");
    const controller = new AbortController();
    const interrupted = await exportRun(["--format", "csv", "-o", out, "--from", "1h", "--concurrency", "1", "--progress"], {
      signal: controller.signal,
      onStderr: (t) => t.startsWith("export: 2/5 devices") && controller.abort(),
    });
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toContain("interrupted: rerun with the same flags and --resume");
    // The process died while appending a block: half a row follows the recorded length.
    fs.appendFileSync(out, 'F0000005,123,"half a ro');

    const mismatch = await exportRun(["--format", "csv", "-o", out, "--from", "2h", "--resume"]);
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toContain('--from (was "1h", now "2h")');

    await emu.control.clearRequests();
    const resumed = await exportRun(["--format", "csv", "-o", out, "--from", "1h", "--resume"]);
    expect(resumed.code).toBe(0);
    expect(await apiCallsWithoutAuth(emu)).toEqual({ listSigfoxDevices: 1, getDataFromSigfoxDevice: 3 });
    const sortedLines = (f: string) => fs.readFileSync(f, "utf8").split("\n").sort();
    expect(sortedLines(out)).toEqual(sortedLines(complete));
    expect(fs.readFileSync(out, "utf8").split("\n")[0]).toBe(EXPORT_COLUMNS.join(","));

    // Once complete there is nothing to resume: refused rather than overwriting the finished file.
    const again = await exportRun(["--format", "csv", "-o", out, "--from", "1h", "--resume"]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("is complete or was not started by this command");
  });

  it("stops at the first credentials error instead of failing every device the same way", async () => {
    await setup();
    const env = { ...emulatorEnv(emu), SORACOM_AUTH_KEY: "secret-wrong-key" };
    const result = await runCommand(dataExport, ["--devices", devices.join(","), "--concurrency", "1"], emu, { cwd: tmp, env });
    expect(result.code).toBe(1);
    expect(result.stderr.match(/failed \(auth\)/g)).toHaveLength(1);
    expect(result.stderr).toContain("stopped: this auth error would fail every device");
    expect(result.stderr).not.toContain("secret-wrong-key");
  });

  it("a device that is not the operator's fails alone (not_found); the secret key is never printed", async () => {
    await setup();
    const result = await exportRun(["--devices", "F0000001,ABCDEF01"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/device ABCDEF01 failed \(not_found\)/);
    expect(jsonLines(result.stdout)).toHaveLength(4);
    expect(result.stdout + result.stderr).not.toContain(emu.credentials.authKey);
  });
});
