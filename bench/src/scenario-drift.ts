/**
 * Scenario "drift": `soracom-sigfox drift` on an account of N managed devices (plus unmanaged ones)
 * against the emulator, beside the plain client listing of the same account in the same run.
 *
 * The command runs as a child process (`node bin/soracom-sigfox.js drift`, under /usr/bin/time for
 * its peak RSS) against a synthetic `pulumi stack export` document of N devices (`--state-file`:
 * what `--stack` reads, without deploying N devices first; the CLI's own export is not measured),
 * and again against a fleet file of the same devices (`--fleet`). Budget (issue 11): ≤ 15 s and
 * ≤ 500 MiB at 10,000 devices, ≤ 5× the plain listing.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { SoracomClient, collectAll, resetSharedClientState } from "#src/client/index";
import { DriftReportSchema } from "#src/drift/report";
import { SIGFOX_DEVICE_TYPE } from "#src/drift/expected";
import { emulatorClientEnv, startEmulator } from "#src/emulator/index";
import { PACKAGE_ROOT } from "#src/package-paths";
import { benchDevices, ownedSeed, type BenchDevice } from "./fixture";
import { loadAverage } from "./system";

export const DRIFT_BUDGET = { seconds: 15, rssMiB: 500, ratioToListing: 5 };

export interface DriftRunResult {
  source: "state-file" | "fleet";
  seconds: number;
  peakRssMiB: number;
  exitCode: number;
  apiCalls: { list: number; get: number };
  summary: Record<string, number>;
  load1: number;
}

export interface DriftScenarioResult {
  managed: number;
  unmanaged: number;
  /** The plain listing: `collectAll(client.sigfoxDevices())`, in process. */
  listing: { seconds: number; listed: number; calls: number };
  runs: DriftRunResult[];
  stateFileBytes: number;
}

/** A `pulumi stack export` document with one SigfoxDevice per device, shaped like the real one (serialized provider, encrypted PAC). */
export function syntheticStackExport(devices: BenchDevice[], tagsOf: (i: number) => Record<string, string>): string {
  const provider = `exports.handler = ${"x".repeat(540)}`;
  const resources = devices.map((d, i) => {
    const common = { deviceId: d.deviceId, tags: tagsOf(i), terminationEnabled: false, deleteImmediately: false, __provider: provider };
    return {
      urn: `urn:pulumi:bench::sigfox-bench::soracom:index:SigfoxFleet$${SIGFOX_DEVICE_TYPE}::${d.deviceId}`,
      custom: true,
      id: d.deviceId,
      type: SIGFOX_DEVICE_TYPE,
      inputs: { ...common, registrationSecret: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: `v1:${"A".repeat(60)}` } },
      outputs: { ...common, status: "ready", operatorId: "OP0000000000", lastModifiedTime: "2026-12-01T00:00:00.000Z" },
      parent: "urn:pulumi:bench::sigfox-bench::soracom:index:SigfoxFleet::fleet",
    };
  });
  return JSON.stringify({ version: 3, deployment: { manifest: { time: new Date().toISOString(), version: "v3.260.0" }, resources } });
}

function runCommand(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      "/usr/bin/time",
      ["-f", "MAXRSS_KB=%M", process.execPath, path.join(PACKAGE_ROOT, "bin", "soracom-sigfox.js"), ...args],
      { env, maxBuffer: 256 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export async function runDriftScenario(managed: number, dir: string, log: (s: string) => void): Promise<DriftScenarioResult> {
  const devices = benchDevices(managed, "B");
  const unmanagedDevices = benchDevices(Math.max(1, Math.round(managed / 100)), "C");
  const emulator = await startEmulator({});
  try {
    const operatorId = emulator.credentials.operatorId;
    for (const part of [devices, unmanagedDevices]) {
      for (let i = 0; i < part.length; i += 2000) await emulator.control.seed(ownedSeed(part.slice(i, i + 2000), operatorId));
    }
    // ownedSeed tags: {site: site-<i%10>, rev: "1"}; the expected state says rev "1" except for 1 % of devices.
    const tagsOf = (i: number) => ({ site: `site-${i % 10}`, rev: i % 100 === 0 ? "0" : "1" });
    fs.mkdirSync(dir, { recursive: true });
    const stateFile = path.join(dir, "bench-state.json");
    fs.writeFileSync(stateFile, syntheticStackExport(devices, tagsOf));
    const fleetFile = path.join(dir, "bench-fleet.json");
    fs.writeFileSync(fleetFile, JSON.stringify({ version: 1, devices: devices.map((d, i) => ({ deviceId: d.deviceId, tags: tagsOf(i) })) }));

    await resetSharedClientState();
    const client = new SoracomClient({ endpoint: emulator.url, credentials: emulator.credentials });
    await client.authenticate();
    await emulator.control.clearRequests();
    const t0 = performance.now();
    const listed = await collectAll(client.sigfoxDevices());
    const listing = { seconds: (performance.now() - t0) / 1000, listed: listed.length, calls: (await emulator.control.calls()).listSigfoxDevices ?? 0 };
    log(`  plain listing: ${listing.listed} devices, ${listing.calls} calls, ${listing.seconds.toFixed(2)} s`);

    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...emulatorClientEnv(emulator),
    };
    const runs: DriftRunResult[] = [];
    for (const [source, flag, file] of [
      ["state-file", "--state-file", stateFile],
      ["fleet", "--fleet", fleetFile],
    ] as const) {
      const output = path.join(dir, `drift-${source}.json`);
      const started = performance.now();
      const r = await runCommand(["drift", flag, file, "--format", "json", "--output", output], env);
      const seconds = (performance.now() - started) / 1000;
      const report = DriftReportSchema.parse(JSON.parse(fs.readFileSync(output, "utf8")));
      const rssKb = Number(/MAXRSS_KB=(\d+)/.exec(r.stderr)?.[1] ?? NaN);
      const run: DriftRunResult = {
        source,
        seconds,
        peakRssMiB: rssKb / 1024,
        exitCode: r.code,
        apiCalls: report.apiCalls,
        summary: report.summary,
        load1: loadAverage(),
      };
      runs.push(run);
      log(
        `  drift ${flag}: ${seconds.toFixed(2)} s, ${run.peakRssMiB.toFixed(0)} MiB peak RSS, calls ${JSON.stringify(report.apiCalls)}, exit ${r.code}, ${JSON.stringify(report.summary)}`,
      );
    }
    return { managed, unmanaged: unmanagedDevices.length, listing, runs, stateFileBytes: fs.statSync(stateFile).size };
  } finally {
    await resetSharedClientState();
    await emulator.close();
  }
}

/** Budget violations of a drift scenario result (empty: within budget). */
export function driftProblems(r: DriftScenarioResult): string[] {
  const problems: string[] = [];
  const expectedSummary = {
    managed: r.managed,
    inSync: r.managed - Math.ceil(r.managed / 100),
    drifted: Math.ceil(r.managed / 100),
    missing: 0,
    unmanaged: r.unmanaged,
    ignored: 0,
  };
  for (const run of r.runs) {
    const what = `drift --${run.source}`;
    if (JSON.stringify(run.summary) !== JSON.stringify(expectedSummary))
      problems.push(`${what}: summary ${JSON.stringify(run.summary)}, expected ${JSON.stringify(expectedSummary)}`);
    if (run.exitCode !== 2) problems.push(`${what}: exit code ${run.exitCode}, expected 2 (drift)`);
    if (run.apiCalls.list + run.apiCalls.get > Math.ceil((r.managed + r.unmanaged) / 100) + 5)
      problems.push(`${what}: ${JSON.stringify(run.apiCalls)} API calls, over ceil(A/100) + 5`);
    if (r.managed >= 10_000) {
      if (run.seconds > DRIFT_BUDGET.seconds) problems.push(`${what}: ${run.seconds.toFixed(1)} s, over ${DRIFT_BUDGET.seconds} s`);
      if (run.peakRssMiB > DRIFT_BUDGET.rssMiB) problems.push(`${what}: ${run.peakRssMiB.toFixed(0)} MiB, over ${DRIFT_BUDGET.rssMiB} MiB`);
      if (run.seconds > DRIFT_BUDGET.ratioToListing * r.listing.seconds)
        problems.push(`${what}: ${(run.seconds / r.listing.seconds).toFixed(1)}× the plain listing, over ${DRIFT_BUDGET.ratioToListing}×`);
    }
  }
  return problems;
}
