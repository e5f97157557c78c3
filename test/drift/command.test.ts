/**
 * `soracom-sigfox drift --fleet` against the emulator over real HTTP: every report kind, the scope,
 * ignore rules with negation, every exit code, the JSON schema, the call bound, the text/markdown
 * formats, and the HTML report in a real browser (Debian's chromium).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../src/emulator";
import { DriftReportSchema, type DriftReport } from "../../src/drift";
import { launchBrowser } from "../helpers/browser";
import { apiCallsWithoutAuth } from "../helpers/common";
import { emulatorEnv, ids, pacOf, runDriftCommand } from "./helpers";

const GROUP = "11111111-1111-4111-8111-111111111111";
const OTHER_GROUP = "22222222-2222-4222-8222-222222222222";
/** 250 managed devices (3 list pages with the 2 unmanaged ones). */
const MANAGED = ids("D", 250);
const [D1, D2, D3, D4, D5, D6] = MANAGED as [string, string, string, string, string, string];
const UNMANAGED_IOT = "E0000001";
const UNMANAGED_OTHER = "E0000002";

let emu: RunningEmulator;
let dir: string;
let env: NodeJS.ProcessEnv;

const fleetYaml = [
  "version: 1",
  "defaults:",
  "  tags: {team: iot, site: hq}",
  `  groupId: ${GROUP}`,
  "devices:",
  ...MANAGED.map((id) => `  - deviceId: "${id}"`),
  "",
].join("\n");

async function seedAccount(): Promise<void> {
  await emu.control.reset();
  const operatorId = emu.credentials.operatorId;
  await emu.control.seed({
    devices: [
      ...MANAGED.map((deviceId, i) => ({
        deviceId,
        pac: pacOf(i),
        ownerOperatorId: operatorId,
        status: "ready" as const,
        tags: { team: "iot", site: "hq" },
        groupId: GROUP,
        terminationEnabled: false,
      })),
      { deviceId: UNMANAGED_IOT, pac: pacOf(900), ownerOperatorId: operatorId, status: "active" as const, tags: { team: "iot" } },
      { deviceId: UNMANAGED_OTHER, pac: pacOf(901), ownerOperatorId: operatorId, status: "ready" as const, tags: { team: "other" }, groupId: OTHER_GROUP },
    ],
  });
  // Out-of-band changes, one of each kind.
  await emu.control.mutateDevice(D1, { tags: { team: "iot", site: "osaka" }, groupId: OTHER_GROUP });
  await emu.control.mutateDevice(D2, { tags: { team: "iot", site: "hq", lastService: "2026-11-30" } });
  await emu.control.mutateDevice(D3, { tags: { team: "iot" } });
  await emu.control.mutateDevice(D4, { terminationEnabled: true });
  await emu.control.removeDevice(D5);
  await emu.control.mutateDevice(D6, { status: "terminated" });
  await emu.control.clearRequests();
}

async function json(args: string[], cwd = dir): Promise<{ code: number; report: DriftReport; stderr: string }> {
  const r = await runDriftCommand(["--fleet", "fleet.yaml", "--format", "json", ...args], cwd, env);
  return { code: r.code, report: DriftReportSchema.parse(JSON.parse(r.stdout)), stderr: r.stderr };
}

beforeAll(async () => {
  emu = await startEmulator({});
  env = emulatorEnv(emu);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "sigfox-drift-"));
  fs.writeFileSync(path.join(dir, "fleet.yaml"), fleetYaml);
});
afterAll(async () => {
  await emu.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
beforeEach(seedAccount);

describe("soracom-sigfox drift --fleet", () => {
  it("reports drifted fields, missing and unmanaged devices in the versioned JSON schema, exits 2, and lists the account in ceil(A/100) calls", async () => {
    const { code, report, stderr } = await json([]);
    expect(code).toBe(2);
    expect(report.version).toBe(1);
    expect(report.summary).toEqual({ managed: 250, inSync: 244, drifted: 4, missing: 2, unmanaged: 2, ignored: 0 });
    expect(report.drifted).toEqual([
      {
        deviceId: D1,
        stack: "fleet.yaml",
        fields: [
          { path: "tags.site", expected: "hq", actual: "osaka" },
          { path: "groupId", expected: GROUP, actual: OTHER_GROUP },
        ],
      },
      { deviceId: D2, stack: "fleet.yaml", fields: [{ path: "tags.lastService", expected: null, actual: "2026-11-30" }] },
      { deviceId: D3, stack: "fleet.yaml", fields: [{ path: "tags.site", expected: "hq", actual: null }] },
      { deviceId: D4, stack: "fleet.yaml", fields: [{ path: "terminationEnabled", expected: false, actual: true }] },
    ]);
    expect(report.missing).toEqual([
      { deviceId: D5, stack: "fleet.yaml", reason: "not_found" },
      { deviceId: D6, stack: "fleet.yaml", reason: "terminated" },
    ]);
    expect(report.unmanaged).toEqual([
      { deviceId: UNMANAGED_IOT, status: "active", groupId: null, tags: { team: "iot" } },
      { deviceId: UNMANAGED_OTHER, status: "ready", groupId: OTHER_GROUP, tags: { team: "other" } },
    ]);
    // 251 devices listed (D5 left the account): 3 pages; one GET confirms D5 is gone.
    const A = 251;
    expect(await apiCallsWithoutAuth(emu)).toEqual({ listSigfoxDevices: 3, getSigfoxDevice: 1 });
    expect(report.apiCalls).toEqual({ list: 3, get: 1 });
    expect(report.apiCalls.list + report.apiCalls.get).toBeLessThanOrEqual(Math.ceil(A / 100) + 5);
    expect(stderr).toContain("listed 3 pages");
  });

  it("many managed devices gone: a second listing confirms them for ceil(A/100) calls, not one GET each", async () => {
    const gone = MANAGED.slice(100, 120);
    for (const id of gone) await emu.control.removeDevice(id);
    await emu.control.clearRequests();
    const { report } = await json([]);
    expect(report.missing.filter((m) => m.reason === "not_found").map((m) => m.deviceId)).toEqual([D5, ...gone]);
    // 231 devices listed: 3 pages, twice.
    expect(await apiCallsWithoutAuth(emu)).toEqual({ listSigfoxDevices: 6 });
    expect(report.apiCalls).toEqual({ list: 6, get: 0 });
  });

  it("a 429 on a list page is waited out (the client honours the rate-limit headers): the same complete report", async () => {
    await emu.control.injectFault({ operation: "listSigfoxDevices", status: 429, count: 1 });
    await emu.control.clearRequests();
    const { code, report } = await json([]);
    await emu.control.clearFaults();
    expect(code).toBe(2);
    expect(report.summary).toEqual({ managed: 250, inSync: 244, drifted: 4, missing: 2, unmanaged: 2, ignored: 0 });
    // The refused page counts as a call at the server, not as a page of the report.
    expect(await apiCallsWithoutAuth(emu)).toEqual({ listSigfoxDevices: 4, getSigfoxDevice: 1 });
    expect(report.apiCalls).toEqual({ list: 3, get: 1 });
  });

  it("exits 0 when everything managed is in sync and nothing unmanaged is in scope", async () => {
    for (const id of [D1, D2, D3]) await emu.control.mutateDevice(id, { tags: { team: "iot", site: "hq" }, groupId: GROUP });
    await emu.control.mutateDevice(D4, { terminationEnabled: false });
    const inSyncFleet = fleetYaml.replace(new RegExp(`  - deviceId: "(${D5}|${D6})"\\n`, "g"), "");
    fs.writeFileSync(path.join(dir, "in-sync.yaml"), inSyncFleet);
    await emu.control.clearRequests();
    const r = await runDriftCommand(["--fleet", "in-sync.yaml", "--no-unmanaged"], dir, env);
    expect(r.stderr).not.toContain("error");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("No drift. 248 managed: 248 in sync, 0 drifted, 0 missing; 0 unmanaged; 0 ignored");
    expect(await apiCallsWithoutAuth(emu)).toEqual({ listSigfoxDevices: 3 });
  });

  it("--scope-tag: only devices carrying the tag count as unmanaged, and the server filters the listing", async () => {
    const { code, report } = await json(["--scope-tag", "team=iot"]);
    expect(code).toBe(2);
    expect(report.unmanaged.map((u) => u.deviceId)).toEqual([UNMANAGED_IOT]);
    const requests = await emu.control.requests();
    const lists = requests.filter((r) => r.operation === "listSigfoxDevices");
    expect(lists.length).toBe(3);
    expect(lists.every((r) => /tag_name=team/.test(r.path) && /tag_value=iot/.test(r.path))).toBe(true);
    // D3 lost nothing of the scope tag; D5 is not listed: the only GET.
    expect(report.apiCalls).toEqual({ list: 3, get: 1 });
  });

  it("--no-unmanaged leaves unmanaged devices out", async () => {
    const { report } = await json(["--no-unmanaged"]);
    expect(report.unmanaged).toEqual([]);
    expect(report.summary.unmanaged).toBe(0);
    expect(report.summary.drifted).toBe(4);
  });

  it("ignore rules from .sigfoxdriftignore: wildcards, device patterns and ! negation; ignored findings are counted", async () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "sigfox-drift-ignore-"));
    fs.copyFileSync(path.join(dir, "fleet.yaml"), path.join(cwd, "fleet.yaml"));
    fs.writeFileSync(
      path.join(cwd, ".sigfoxdriftignore"),
      [
        "# technicians set this tag by hand",
        "*.tags.lastService",
        "",
        "# everything about D1 but its group",
        D1.toLowerCase(),
        `!${D1}.groupId`,
        "E0000002",
        `${D6}`,
      ].join("\n"),
    );
    const { code, report } = await json([], cwd);
    expect(code).toBe(2);
    expect(report.drifted.map((d) => [d.deviceId, d.fields.map((f) => f.path)])).toEqual([
      [D1, ["groupId"]],
      [D3, ["tags.site"]],
      [D4, ["terminationEnabled"]],
    ]);
    expect(report.missing.map((m) => m.deviceId)).toEqual([D5]);
    expect(report.unmanaged.map((u) => u.deviceId)).toEqual([UNMANAGED_IOT]);
    // D1 tags.site, D2 tags.lastService, D6 (missing), E0000002 (unmanaged)
    expect(report.summary).toEqual({ managed: 250, inSync: 245, drifted: 3, missing: 1, unmanaged: 1, ignored: 4 });

    // --ignore FILE replaces the default file; everything ignored means exit 0.
    fs.writeFileSync(path.join(cwd, "all.ignore"), "*\n");
    const all = await json(["--ignore", "all.ignore"], cwd);
    expect(all.code).toBe(0);
    expect(all.report.summary).toMatchObject({ drifted: 0, missing: 0, unmanaged: 0, ignored: 9 });
    fs.rmSync(cwd, { recursive: true, force: true });
  });

  it("text and markdown formats name each finding; --output writes the report to a file", async () => {
    const text = await runDriftCommand(["--fleet", "fleet.yaml"], dir, env);
    expect(text.code).toBe(2);
    expect(text.stdout).toMatch(new RegExp(`drifted\\s+${D1}\\s+fleet\\.yaml\\s+tags\\.site\\s+"hq"\\s+"osaka"`));
    expect(text.stdout).toMatch(new RegExp(`missing\\s+${D5}\\s+fleet\\.yaml\\s+not_found`));
    const md = await runDriftCommand(["--fleet", "fleet.yaml", "--format", "markdown", "--output", "drift.md"], dir, env);
    expect(md.code).toBe(2);
    expect(md.stdout).toBe("");
    const written = fs.readFileSync(path.join(dir, "drift.md"), "utf8");
    expect(written).toContain("| 250 | 244 | 4 | 2 | 2 | 0 |");
    expect(written).toContain(`| unmanaged | \`${UNMANAGED_OTHER}\` |`);
    expect(md.stderr).toContain("report written to drift.md");
  });

  it("the HTML report, opened in a real browser, shows the summary and filters its table", async () => {
    const r = await runDriftCommand(["--fleet", "fleet.yaml", "--format", "html", "--output", "drift.html"], dir, env);
    expect(r.code).toBe(2);
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on("request", (req) => requests.push(req.url()));
      await page.goto(pathToFileURL(path.join(dir, "drift.html")).href);
      const number = async (id: string) => Number(await page.locator(`#${id}`).textContent());
      expect(await number("summary-managed")).toBe(250);
      expect(await number("summary-inSync")).toBe(244);
      expect(await number("summary-drifted")).toBe(4);
      expect(await number("summary-missing")).toBe(2);
      expect(await number("summary-unmanaged")).toBe(2);
      expect(await number("summary-ignored")).toBe(0);
      // 5 drifted fields + 2 missing + 2 unmanaged rows.
      expect(await number("shown")).toBe(9);
      await page.selectOption("#kind", "missing");
      expect(await number("shown")).toBe(2);
      expect(await page.locator("#findings tbody tr:not([hidden])").allTextContents()).toEqual([expect.stringContaining(D5), expect.stringContaining(D6)]);
      await page.selectOption("#kind", "");
      await page.fill("#filter", "osaka");
      expect(await number("shown")).toBe(1);
      expect(await page.locator("#findings tbody tr:not([hidden])").textContent()).toContain(D1);
      // Self-contained: the page loaded nothing but itself.
      expect(requests).toEqual([pathToFileURL(path.join(dir, "drift.html")).href]);
    } finally {
      await browser.close();
    }
  });

  it("exits 1 with the flag and the fix on bad usage, before any API call", async () => {
    const cases: [string[], RegExp][] = [
      [["--format", "xml"], /--format "xml": expected one of text, json, markdown, html/],
      [["--scope-tag", "team"], /--scope-tag "team": expected NAME=VALUE/],
      [["--fleet", "fleet.yaml", "--stack", "prod"], /--stack and --fleet cannot be combined/],
      [["--nope"], /Unknown option '--nope'/],
      [["--fleet", "fleet.yaml", "--ignore", "no-such-file"], /--ignore no-such-file: cannot be read \(ENOENT\)/],
    ];
    for (const [args, message] of cases) {
      const r = await runDriftCommand(args, dir, env);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr).toMatch(message);
    }
    fs.writeFileSync(path.join(dir, "bad.ignore"), "!\n");
    const bad = await runDriftCommand(["--fleet", "fleet.yaml", "--ignore", "bad.ignore"], dir, env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('bad.ignore:1: "!" alone is not a pattern');
    expect(await apiCallsWithoutAuth(emu)).toEqual({});
  });

  it("exits 1 with a clear error, and no secret, when the fleet file is invalid or the account cannot be read", async () => {
    fs.writeFileSync(path.join(dir, "broken.yaml"), 'devices:\n  - deviceId: "XYZ"\n');
    const broken = await runDriftCommand(["--fleet", "broken.yaml"], dir, env);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/broken\.yaml:2:\d+ devices\[0\]\.deviceId/);

    const wrongKey = "secret-not-the-right-one";
    const denied = await runDriftCommand(["--fleet", "fleet.yaml"], dir, { ...env, SORACOM_AUTH_KEY: wrongKey });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/reading the Soracom account failed/);
    expect(denied.stderr + denied.stdout).not.toContain(wrongKey);
  });

  it("shows progress on stderr while it lists: a line redrawn after each page in a terminal", async () => {
    const r = await runDriftCommand(["--fleet", "fleet.yaml", "--format", "json"], dir, env, true);
    expect(r.stderr).toContain(
      "\rlisting the account: 100 devices, 1 pages\rlisting the account: 200 devices, 2 pages\rlisting the account: 251 devices, 3 pages",
    );
    expect(r.stdout).not.toContain("listing");
  });

  it("--help documents the sources, the formats and the exit codes", async () => {
    const r = await runDriftCommand(["--help"], dir, env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Exit codes: 0 in sync, 2 drift found");
    expect(r.stdout).toContain("--fleet FILE");
    expect(r.stdout).toContain("--scope-tag NAME=VALUE");
  });
});
