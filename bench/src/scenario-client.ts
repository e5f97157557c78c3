/**
 * Scenario "client": the API client alone (no engine), against the emulator through the
 * byte-counting proxy:
 *
 * - list: every device of an account of `listDevices` seeded devices, with pagination (pages, calls,
 *   bytes, seconds);
 * - gets: `gets` concurrent `getSigfoxDevice` calls started at once, through the process-wide limiter,
 *   per concurrency cap and per server latency (0 = the emulator as fast as it is; > 0 = a latency
 *   fault on every GET, so that requests stay in flight as over a real network): throughput, and the
 *   largest number of requests in flight at the server side (must never exceed the cap).
 */
import { SoracomClient, collectAll, configureSharedLimits, resetSharedClientState, type SoracomClientStats } from "#src/client/index";
import { startEmulator } from "#src/emulator/index";
import { benchDevices, ownedSeed } from "./fixture";
import { startCountingProxy } from "./proxy";
import { loadAverage } from "./system";

export interface ClientListResult {
  devices: number;
  listed: number;
  seconds: number;
  pages: number;
  calls: Record<string, number>;
  http: { bytesSent: number; bytesReceived: number };
  client: Pick<SoracomClientStats, "bytesSent" | "bytesReceived" | "retries" | "rateLimited">;
  load1: number;
}

export interface ClientGetsResult {
  gets: number;
  maxConcurrency: number;
  /** Latency the emulator added to every GET (a fault), so that requests stay in flight like over a real network. */
  serverLatencyMs: number;
  seconds: number;
  perSecond: number;
  calls: Record<string, number>;
  maxInFlight: number;
  capRespected: boolean;
  failures: number;
  http: { bytesSent: number; bytesReceived: number };
  client: Pick<SoracomClientStats, "bytesSent" | "bytesReceived" | "retries" | "rateLimited">;
  load1: number;
}

export interface ClientScenarioResult {
  list: ClientListResult;
  gets: ClientGetsResult[];
}

export async function runClientScenario(
  options: { listDevices: number; gets: number; concurrencies: number[]; latenciesMs: number[] },
  log: (s: string) => void,
): Promise<ClientScenarioResult> {
  const devices = benchDevices(options.listDevices, "D");
  const emulator = await startEmulator({});
  await emulator.control.seed(ownedSeed(devices, emulator.credentials.operatorId));
  const proxy = await startCountingProxy(emulator.url);
  const pick = (s: SoracomClientStats) => ({ bytesSent: s.bytesSent, bytesReceived: s.bytesReceived, retries: s.retries, rateLimited: s.rateLimited });
  try {
    await resetSharedClientState();
    // Authenticate outside the measurements (one /auth per process; the token is cached).
    await new SoracomClient({ endpoint: proxy.url, credentials: emulator.credentials }).authenticate();

    await emulator.control.clearRequests();
    proxy.reset();
    const lister = new SoracomClient({ endpoint: proxy.url, credentials: emulator.credentials });
    let t0 = performance.now();
    const listed = await collectAll(lister.sigfoxDevices());
    let seconds = (performance.now() - t0) / 1000;
    let calls = (await emulator.control.calls()) as Record<string, number>;
    let p = proxy.counters();
    const list: ClientListResult = {
      devices: options.listDevices,
      listed: listed.length,
      seconds,
      pages: calls.listSigfoxDevices ?? 0,
      calls,
      http: { bytesSent: p.bytesSent, bytesReceived: p.bytesReceived },
      client: pick(lister.stats()),
      load1: loadAverage(),
    };
    log(`  list ${listed.length}/${options.listDevices} devices: ${seconds.toFixed(2)} s, ${list.pages} pages, ${p.bytesReceived} bytes received`);

    const ids = devices.slice(0, Math.min(options.gets, devices.length)).map((d) => d.deviceId);
    while (ids.length < options.gets) ids.push(devices[ids.length % devices.length]!.deviceId);
    const gets: ClientGetsResult[] = [];
    const variants = options.latenciesMs.flatMap((latencyMs) => options.concurrencies.map((cap) => ({ latencyMs, cap })));
    for (const { latencyMs, cap } of variants) {
      configureSharedLimits({ maxConcurrency: cap });
      await emulator.control.clearFaults();
      if (latencyMs > 0) await emulator.control.injectFault({ operation: "getSigfoxDevice", latencyMs, probability: 1 });
      await emulator.control.clearRequests();
      proxy.reset();
      const client = new SoracomClient({ endpoint: proxy.url, credentials: emulator.credentials });
      t0 = performance.now();
      const results = await Promise.allSettled(ids.map((id) => client.getSigfoxDevice(id)));
      seconds = (performance.now() - t0) / 1000;
      calls = (await emulator.control.calls()) as Record<string, number>;
      p = proxy.counters();
      const r: ClientGetsResult = {
        gets: ids.length,
        maxConcurrency: cap,
        serverLatencyMs: latencyMs,
        seconds,
        perSecond: ids.length / seconds,
        calls,
        maxInFlight: p.maxInFlight,
        capRespected: p.maxInFlight <= cap,
        failures: results.filter((x) => x.status === "rejected").length,
        http: { bytesSent: p.bytesSent, bytesReceived: p.bytesReceived },
        client: pick(client.stats()),
        load1: loadAverage(),
      };
      gets.push(r);
      log(
        `  ${ids.length} concurrent GETs, cap ${cap}, server latency ${latencyMs} ms: ${seconds.toFixed(2)} s (${r.perSecond.toFixed(0)}/s), max in flight ${p.maxInFlight}, ${r.failures} failures`,
      );
    }
    return { list, gets };
  } finally {
    await resetSharedClientState();
    await proxy.close();
    await emulator.close();
  }
}
