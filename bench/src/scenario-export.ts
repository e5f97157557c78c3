/**
 * Scenario "export": `data export` throughput (the export loop of src/dataplane, as the command runs
 * it: list the account, then every page of every device into a JSONL file) against the emulator
 * through the byte-counting proxy. `devices` devices with `entries` uplinks each are seeded through the
 * emulator's control plane (POST /_emulator/devices/{id}/uplink).
 *
 * Variants, in one run: the command's page size (1000) at each concurrency, and a baseline that reads
 * like soracom-cli does (the API's default page of 10 entries, one device at a time); each at every
 * server latency (0 = the in-process emulator as fast as it is, so the run is CPU-bound on this
 * machine; > 0 = a latency fault on every data call, as over a real network, where concurrency pays).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { SoracomClient, configureSharedLimits, resetSharedClientState } from "#src/client/index";
import { runExport, EXPORT_PAGE_SIZE } from "#src/dataplane/export";
import { resolveTargets } from "#src/dataplane/targets";
import { startEmulator } from "#src/emulator/index";
import { EVERY_DEVICE } from "#src/selection/index";
import { benchDevices, ownedSeed } from "./fixture";
import { startCountingProxy } from "./proxy";
import { bytes, formatCalls } from "./report";
import { loadAverage } from "./system";

export interface ExportRunResult {
  label: string;
  concurrency: number;
  pageSize: number;
  /** Latency the emulator added to every data call, ms (absent in results written before the option: 0). */
  serverLatencyMs?: number;
  devices: number;
  entries: number;
  seconds: number;
  entriesPerSecond: number;
  calls: Record<string, number>;
  http: { bytesSent: number; bytesReceived: number };
  outputBytes: number;
  /** Largest heap seen while exporting (sampled every 50 ms), MB. */
  peakHeapMb: number;
  failures: number;
  load1: number;
}

export interface ExportScenarioResult {
  devices: number;
  entriesPerDevice: number;
  seedSeconds: number;
  runs: ExportRunResult[];
}

export async function runExportScenario(
  options: { devices: number; entriesPerDevice: number; concurrencies: number[]; latenciesMs: number[] },
  log: (s: string) => void,
): Promise<ExportScenarioResult> {
  const devices = benchDevices(options.devices, "E").map((d) => d.deviceId);
  const emulator = await startEmulator({});
  await emulator.control.seed(ownedSeed(benchDevices(options.devices, "E"), emulator.credentials.operatorId));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "bench-export-"));
  const proxy = await startCountingProxy(emulator.url);
  try {
    let t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < devices.length) {
          const id = devices[next++]!;
          for (let i = 0; i < options.entriesPerDevice; i++) await emulator.control.uplink(id);
        }
      }),
    );
    const seedSeconds = (performance.now() - t0) / 1000;
    log(`  seeded ${devices.length} devices x ${options.entriesPerDevice} uplinks in ${seedSeconds.toFixed(1)} s`);
    const clock = await emulator.control.clock();
    const window = { from: clock.nowMs - 86_400_000, to: clock.nowMs };

    const variants = options.latenciesMs.flatMap((latencyMs) => [
      ...options.concurrencies.map((c) => ({ label: `command (page ${EXPORT_PAGE_SIZE})`, concurrency: c, pageSize: EXPORT_PAGE_SIZE, latencyMs })),
      { label: "baseline: API default page (10), one device at a time", concurrency: 1, pageSize: 10, latencyMs },
    ]);
    const runs: ExportRunResult[] = [];
    for (const v of variants) {
      await resetSharedClientState();
      configureSharedLimits({ maxConcurrency: 8 });
      const client = new SoracomClient({ endpoint: proxy.url, credentials: emulator.credentials });
      await client.authenticate();
      await emulator.control.clearFaults();
      if (v.latencyMs > 0) await emulator.control.injectFault({ operation: "getDataFromSigfoxDevice", latencyMs: v.latencyMs, probability: 1 });
      await emulator.control.clearRequests();
      proxy.reset();
      const output = path.join(work, `export-${runs.length}.jsonl`);
      let peakHeap = process.memoryUsage().heapUsed;
      const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 50);
      t0 = performance.now();
      const ids = await resolveTargets({ kind: "selection", selection: EVERY_DEVICE }, client, { cwd: work, env: {} });
      const result = await runExport({
        reader: client,
        deviceIds: ids,
        parameters: { ...window, sort: "asc", format: "jsonl", flags: {} },
        destination: { kind: "file", path: output },
        concurrency: v.concurrency,
        pageSize: v.pageSize,
      });
      const seconds = (performance.now() - t0) / 1000;
      clearInterval(sampler);
      const calls = Object.fromEntries(Object.entries((await emulator.control.calls()) as Record<string, number>).filter(([op]) => op !== "auth"));
      const p = proxy.counters();
      const run: ExportRunResult = {
        label: v.label,
        concurrency: v.concurrency,
        pageSize: v.pageSize,
        serverLatencyMs: v.latencyMs,
        devices: ids.length,
        entries: result.entries,
        seconds,
        entriesPerSecond: result.entries / seconds,
        calls,
        http: { bytesSent: p.bytesSent, bytesReceived: p.bytesReceived },
        outputBytes: fs.statSync(output).size,
        peakHeapMb: Math.round(peakHeap / 1e6),
        failures: result.failed.length,
        load1: loadAverage(),
      };
      runs.push(run);
      fs.rmSync(output, { force: true });
      log(
        `  ${v.label}, concurrency ${v.concurrency}, server latency ${v.latencyMs} ms: ${run.entries} entries in ${seconds.toFixed(2)} s (${run.entriesPerSecond.toFixed(0)}/s), ${formatCalls(calls)}, ${bytes(p.bytesReceived)} received`,
      );
    }
    return { devices: options.devices, entriesPerDevice: options.entriesPerDevice, seedSeconds, runs };
  } finally {
    await resetSharedClientState();
    await proxy.close();
    await emulator.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The scenario's section of the Markdown summary. */
export function exportMarkdown(r: ExportScenarioResult, table: (header: string[], rows: (string | number)[][]) => string): string[] {
  return [
    "",
    `## Data export (${r.devices} devices x ${r.entriesPerDevice} entries)`,
    "",
    table(
      [
        "variant",
        "concurrency",
        "server latency",
        "entries",
        "time",
        "entries/s",
        "API calls",
        "HTTP bytes (sent / received)",
        "output",
        "peak heap",
        "failures",
        "load",
      ],
      r.runs.map((x) => [
        x.label,
        x.concurrency,
        `${x.serverLatencyMs ?? 0} ms`,
        x.entries,
        `${x.seconds.toFixed(2)} s`,
        x.entriesPerSecond.toFixed(0),
        formatCalls(x.calls),
        `${bytes(x.http.bytesSent)} / ${bytes(x.http.bytesReceived)}`,
        bytes(x.outputBytes),
        `${x.peakHeapMb} MB`,
        x.failures,
        x.load1,
      ]),
    ),
  ];
}
