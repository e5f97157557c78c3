/**
 * `soracom-sigfox downlink send` against the emulator over real HTTP: dry run vs --yes, payload
 * validation before any call, per-device failures, and a dropped connection (unknown outcome) that is
 * reported and never re-sent.
 */
import { describe, expect, it } from "vitest";
import { dataExport } from "../../src/cli/commands/data";
import { downlinkSend } from "../../src/cli/commands/downlink";
import { useEmulator } from "../client/helpers";
import { apiCallsWithoutAuth } from "../helpers/common";
import { runCommand, seedOwned } from "./helpers";

const emu = useEmulator();
const send = (args: string[]) => runCommand(downlinkSend, args, emu);
const DATA = "0102030405060708";

async function pending(): Promise<Record<string, string | null>> {
  const state = await emu.control.state();
  return Object.fromEntries(state.devices.map((d) => [d.deviceId, d.pendingDownlink?.data ?? null]));
}

describe("downlink send", () => {
  it("is a dry run by default: prints the targets and the message, sends nothing, exits 0", async () => {
    await seedOwned(emu, [
      { deviceId: "A1", tags: { site: "tokyo" } },
      { deviceId: "A2", tags: { site: "tokyo" } },
      { deviceId: "A3", tags: { site: "osaka" } },
    ]);
    await emu.control.clearRequests();
    const result = await send(["--data", DATA, "--tag", "site=tokyo"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`A1  would send ${DATA}\nA2  would send ${DATA}\ndry run: 2 devices would get ${DATA}; nothing was sent. Add --yes to send.\n`);
    expect(await apiCallsWithoutAuth(emu)).toEqual({ listSigfoxDevices: 1 });
    expect(await pending()).toEqual({ A1: null, A2: null, A3: null });
  });

  it("with --yes queues the message once per selected device and reports each outcome", async () => {
    await seedOwned(emu, [
      { deviceId: "A1", tags: { site: "tokyo" } },
      { deviceId: "A2", tags: { site: "tokyo" } },
      { deviceId: "A3", tags: { site: "osaka" } },
    ]);
    await emu.control.clearRequests();
    const result = await send(["--data", "0A0B0C0D0E0F1011", "--tag", "site=tokyo", "--yes"]);
    expect(result.code).toBe(0);
    expect(
      result.stdout
        .split("\n")
        .filter((l) => l.endsWith("accepted"))
        .sort(),
    ).toEqual(["A1  accepted", "A2  accepted"]);
    expect(result.stdout).toContain("sent 0a0b0c0d0e0f1011: 2 accepted, 0 failed, 0 unknown of 2 devices");
    expect(await apiCallsWithoutAuth(emu)).toEqual({ listSigfoxDevices: 1, sendDataToSigfoxDevice: 2 });
    expect(await pending()).toEqual({ A1: "0a0b0c0d0e0f1011", A2: "0a0b0c0d0e0f1011", A3: null });
    // The device gets it with its next uplink.
    expect((await emu.control.uplink("A1")).deliveredDownlink).toBe("0a0b0c0d0e0f1011");
  });

  it("--format json gives one document with every device's outcome and a summary", async () => {
    await seedOwned(emu, ["B1", "B2"]);
    const dry = JSON.parse((await send(["--data", DATA, "--devices", "B1,B2", "--format", "json"])).stdout) as Record<string, unknown>;
    expect(dry).toEqual({
      dryRun: true,
      data: DATA,
      devices: [
        { deviceId: "B1", outcome: "would-send" },
        { deviceId: "B2", outcome: "would-send" },
      ],
      summary: { devices: 2 },
    });
    const sent = await send(["--data", DATA, "--devices", "B1,B2", "--format", "json", "--yes"]);
    expect(sent.code).toBe(0);
    expect(JSON.parse(sent.stdout)).toEqual({
      dryRun: false,
      data: DATA,
      devices: [
        { deviceId: "B1", outcome: "accepted" },
        { deviceId: "B2", outcome: "accepted" },
      ],
      summary: { devices: 2, accepted: 2, failed: 0, unknown: 0, notSent: 0 },
    });
  });

  it("validates the payload and the flags before any API call (exit 2)", async () => {
    await seedOwned(emu, ["C1"]);
    await emu.control.clearRequests();
    const cases: Array<[string[], string]> = [
      [["--devices", "C1", "--yes"], "--data is required"],
      [["--data", "0102", "--devices", "C1", "--yes"], '--data "0102" is 4 hexadecimal characters: a Sigfox downlink is exactly 8 bytes'],
      [["--data", "01020304050607080", "--yes"], "17 hexadecimal characters"],
      [["--data", "zz02030405060708", "--yes"], "not hexadecimal"],
      [["--data", DATA, "--format", "yaml"], '--format "yaml": expected one of text, json'],
      [["--data", DATA, "--devices", "C1", "--tag", "a=b"], "--devices and --tag exclude each other"],
      [["--data", DATA, "--concurrency", "x"], "--concurrency"],
    ];
    for (const [args, message] of cases) {
      const result = await send(args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr, args.join(" ")).toContain(message);
    }
    expect(await emu.control.calls()).toEqual({});
  });

  it("a device that refuses fails alone: the others are queued, exit 1", async () => {
    await seedOwned(emu, ["D1", "D2"]);
    const result = await send(["--data", DATA, "--devices", "D1,DEAD01,D2", "--yes"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^DEAD01 {2}failed \(not_found\): /m);
    expect(result.stdout).toContain("2 accepted, 1 failed, 0 unknown of 3 devices");
    expect(await pending()).toEqual({ D1: DATA, D2: DATA });
    expect(result.stdout + result.stderr).not.toContain(emu.credentials.authKey);
  });

  it("a connection dropped after the request arrived is reported unknown, never re-sent, and exits 3", async () => {
    await seedOwned(emu, ["E1", "E2", "E3"]);
    await emu.control.clearRequests();
    await emu.control.injectFault({ operation: "sendDataToSigfoxDevice", drop: "after", count: 1 });
    const result = await send(["--data", DATA, "--devices", "E1,E2,E3", "--concurrency", "1", "--yes"]);
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/^E1 {2}unknown \(network\): /m);
    expect(result.stdout).toContain("2 accepted, 0 failed, 1 unknown of 3 devices");
    expect(result.stderr).toContain("the outcome is unknown for E1: not re-sent");
    // One request per device: the dropped one was not replayed, although the server had queued it.
    expect(await apiCallsWithoutAuth(emu)).toEqual({ sendDataToSigfoxDevice: 3 });
    expect(await pending()).toEqual({ E1: DATA, E2: DATA, E3: DATA });
  });
});

describe("data-plane commands: --help", () => {
  it("documents flags and exit codes, and exits 0 without any call", async () => {
    const exportHelp = await runCommand(dataExport, ["--help"], emu);
    expect(exportHelp.code).toBe(0);
    expect(exportHelp.stdout).toContain("Exit codes: 0 every device exported");
    expect(exportHelp.stdout).toContain("--fleet FILE");
    expect(exportHelp.stdout).toContain("deviceId,time,timeIso,data,seqNumber");
    const sendHelp = await runCommand(downlinkSend, ["-h"], emu);
    expect(sendHelp.code).toBe(0);
    expect(sendHelp.stdout).toContain("3 some device's outcome is unknown");
    expect(await emu.control.calls()).toEqual({});
  });
});
