/**
 * `npm run bench`: the benchmark suite. Measures seconds AND what a platform team pays for: API calls
 * per operation, HTTP bytes, state bytes written, `__provider` bytes per resource. Prints a summary
 * and writes `bench/results/latest.json` (machine-readable) and `bench/results/latest.md`.
 *
 *   npm run bench                                  # default suite (< ~10 min on 2 cores)
 *   npm run bench -- --quick                       # smaller sizes, ~2 min
 *   npm run bench -- --only fleet --sizes 10,100,500 --modes default,lean
 *   npm run bench -- --only rate-limit --rate-limit 60,30 --rate-devices 90
 *   npm run bench -- --only client --list-devices 5000 --gets 1000 --concurrency 1,8,32
 *   npm run bench -- --only adopt --adopt-devices 1000     # not in the default suite
 *
 *   npm run bench -- --only drift --drift-devices 10000
 *
 *   npm run bench -- --only export --export-devices 1000 --export-entries 100
 *   npm run bench -- --only parallelism --sweep-devices 1000 --sweep-parallel 8,32,64 --sweep-concurrency 8,32,auto
 *
 * Scenarios: `fleet` (scenario-engine.ts), `rate-limit` (scenario-rate-limit.ts), `client`
 * (scenario-client.ts), `drift` (scenario-drift.ts), `export` (scenario-export.ts), `adopt`
 * (scenario-adopt.ts, only when asked). See docs/benchmarks.md.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { PACKAGE_ROOT } from "#src/package-paths";
import { pulumiCliDir } from "#src/engine/workspace";
import { benchWorkRoot } from "./harness";
import { extrapolate, markdownSummary, type BenchResults } from "./report";
import { ADOPT_VARIANTS, runAdoptScenario } from "./scenario-adopt";
import { runClientScenario } from "./scenario-client";
import { driftProblems, runDriftScenario } from "./scenario-drift";
import { runExportScenario } from "./scenario-export";
import { CHECKPOINT_MODES, runFleetScenario } from "./scenario-engine";
import { runFaultScenario } from "./scenario-faults";
import { runParallelismScenario } from "./scenario-parallelism";
import { runMemoryScenario, runShardLayout } from "./scenario-scale";
import { runRateLimitScenario } from "./scenario-rate-limit";
import { loadAverage, machineInfo } from "./system";

const SCENARIOS = ["fleet", "rate-limit", "client", "drift", "export", "adopt", "parallelism", "faults", "memory", "shards"] as const;
/** Scenarios run when --only is not given (`adopt`, the parallelism sweep and `faults` are long: run them on purpose). */
const LONG_SCENARIOS: readonly string[] = ["adopt", "parallelism", "faults", "memory", "shards"];
const DEFAULT_SCENARIOS = SCENARIOS.filter((s) => !LONG_SCENARIOS.includes(s));

const USAGE = `usage: npm run bench -- [options]
  --only LIST           scenarios to run: ${SCENARIOS.join(",")} (default: ${DEFAULT_SCENARIOS.join(",")})
  --quick               small sizes (fleet 10,50; rate limit 20/min with 30 devices; client 1000 devices, 300 GETs), ~2 min
  --sizes LIST          fleet sizes (default 10,100,300)
  --modes LIST          checkpoint modes: ${Object.keys(CHECKPOINT_MODES).join(",")} (default default,lean)
  --target N            extrapolate the fleet results to N devices (default 10000)
  --rate-limit LIST     requests per minute per operation for the rate-limit scenario, one run each,
                        plus a baseline without limits (default 60,30)
  --rate-devices N      devices created under the limit (default 90)
  --list-devices N      devices seeded for the client list (default 5000)
  --gets N              concurrent GETs (default 1000)
  --concurrency LIST    client concurrency caps for the GETs (default 1,8,32)
  --get-latency LIST    server latencies (ms) for the GETs, each run with every cap (default 0,10)
  --adopt-devices LIST  devices adopted by the adopt scenario, one run each (default 1000)
  --adopt-variants LIST which adoption ways to run: import,pacs (default both)
  --adopt-lean          run the adopt scenario with PULUMI_SKIP_CHECKPOINTS + gzip (for 10,000 devices)
  --drift-devices N     managed devices of the drift scenario (default 10000)
  --export-devices N    devices of the data export scenario (default 1000; --quick 100)
  --export-entries N    uplinks per device of the data export scenario (default 100; --quick 20)
  --export-concurrency LIST  devices read at once by the export, one run each (default 1,4,16)
  --export-latency LIST server latencies (ms) of the data calls, each run with every concurrency (default 0)
  --sweep-devices N     parallelism sweep: devices created per run (default 1000)
  --sweep-parallel LIST engine --parallel values (default 8,16,32,64)
  --sweep-concurrency LIST  provider soracom:maxConcurrency values, "auto" = adaptive (default 8,16,32,auto)
  --sweep-limit N       the emulator's per-minute limit per operation during the sweep (default 5000)
  --sweep-latency MS    the emulator's latency per register during the sweep, like a real API's round
                        trip (default 100; 0 = as fast as this machine answers)
  --fault-devices N     devices of the faults scenario (default 200; --quick 30)
  --fault-seed N        seed of the faults' random draws (default 20261201)
  --fault-without-429   the faults scenario without its 5 % of 429s (each 429 blocks the operation
                        until the rate-limit window ends: they dominate the run's time)
  --memory-devices LIST memory scenario: devices of one stack, one run each (default 1000)
  --memory-variants LIST which programs: fleet (the default program), noop (a no-op dynamic resource
                        per device: the floor) (default noop,fleet)
  --shard-devices N     shards scenario: devices of the fleet (default 1000)
  --shard-layouts LIST  KxP = K shard stacks run P at a time; 1x1 = one stack (default 1x1,10x2,10x4)
  --out DIR             results directory (default bench/results)
  --name NAME           results file names NAME.json / NAME.md (default latest)
  --merge FILES         run nothing: merge earlier result files (comma-separated JSON paths), recompute
                        the extrapolation over all their fleet sizes, write NAME.json / NAME.md
  --help`;

function list(value: string | undefined, fallback: string): string[] {
  return (value ?? fallback)
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

function positiveInts(values: string[], what: string): number[] {
  return values.map((v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${what}: "${v}" is not a positive integer`);
    return n;
  });
}

function nonNegativeInts(values: string[], what: string): number[] {
  return values.map((v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${what}: "${v}" is not a non-negative integer`);
    return n;
  });
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      only: { type: "string" },
      quick: { type: "boolean", default: false },
      sizes: { type: "string" },
      modes: { type: "string" },
      target: { type: "string" },
      "rate-limit": { type: "string" },
      "rate-devices": { type: "string" },
      "list-devices": { type: "string" },
      gets: { type: "string" },
      concurrency: { type: "string" },
      "get-latency": { type: "string" },
      "adopt-devices": { type: "string" },
      "adopt-variants": { type: "string" },
      "adopt-lean": { type: "boolean", default: false },
      "drift-devices": { type: "string" },
      "export-devices": { type: "string" },
      "export-entries": { type: "string" },
      "export-concurrency": { type: "string" },
      "export-latency": { type: "string" },
      "sweep-devices": { type: "string" },
      "sweep-parallel": { type: "string" },
      "sweep-concurrency": { type: "string" },
      "sweep-limit": { type: "string" },
      "sweep-latency": { type: "string" },
      "fault-devices": { type: "string" },
      "fault-seed": { type: "string" },
      "memory-devices": { type: "string" },
      "memory-variants": { type: "string" },
      "shard-devices": { type: "string" },
      "shard-layouts": { type: "string" },
      "fault-without-429": { type: "boolean", default: false },
      name: { type: "string" },
      merge: { type: "string" },
      out: { type: "string" },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const quick = values.quick === true;
  const only = list(values.only, DEFAULT_SCENARIOS.join(","));
  for (const s of only) if (!(SCENARIOS as readonly string[]).includes(s)) throw new Error(`--only: unknown scenario "${s}" (known: ${SCENARIOS.join(", ")})`);
  const sizes = positiveInts(list(values.sizes, quick ? "10,50" : "10,100,300"), "--sizes");
  const modes = list(values.modes, "default,lean");
  for (const m of modes) if (!CHECKPOINT_MODES[m]) throw new Error(`--modes: unknown mode "${m}" (known: ${Object.keys(CHECKPOINT_MODES).join(", ")})`);
  const [target] = positiveInts([values.target ?? "10000"], "--target");
  const rateLimits = positiveInts(list(values["rate-limit"], quick ? "20" : "60,30"), "--rate-limit");
  const [rateDevices] = positiveInts([values["rate-devices"] ?? (quick ? "30" : "90")], "--rate-devices");
  const [listDevices] = positiveInts([values["list-devices"] ?? (quick ? "1000" : "5000")], "--list-devices");
  const [gets] = positiveInts([values.gets ?? (quick ? "300" : "1000")], "--gets");
  const [driftDevices] = positiveInts([values["drift-devices"] ?? (quick ? "1000" : "10000")], "--drift-devices");
  const concurrencies = positiveInts(list(values.concurrency, "1,8,32"), "--concurrency");
  const latenciesMs = nonNegativeInts(list(values["get-latency"], "0,10"), "--get-latency");
  const adoptSizes = positiveInts(list(values["adopt-devices"], "1000"), "--adopt-devices");
  const adoptVariants = list(values["adopt-variants"], "import,pacs").map((v) => {
    if (!Object.hasOwn(ADOPT_VARIANTS, v)) throw new Error(`--adopt-variants: "${v}" is not one of ${Object.keys(ADOPT_VARIANTS).join(", ")}`);
    return v as keyof typeof ADOPT_VARIANTS;
  });
  const adoptEngineEnv = values["adopt-lean"] ? CHECKPOINT_MODES.lean : undefined;
  const [exportDevices] = positiveInts([values["export-devices"] ?? (quick ? "100" : "1000")], "--export-devices");
  const [exportEntries] = positiveInts([values["export-entries"] ?? (quick ? "20" : "100")], "--export-entries");
  const exportConcurrencies = positiveInts(list(values["export-concurrency"], "1,4,16"), "--export-concurrency");
  const exportLatenciesMs = nonNegativeInts(list(values["export-latency"], "0"), "--export-latency");
  const [sweepDevices] = positiveInts([values["sweep-devices"] ?? "1000"], "--sweep-devices");
  const sweepParallel = positiveInts(list(values["sweep-parallel"], "8,16,32,64"), "--sweep-parallel");
  const sweepConcurrency = list(values["sweep-concurrency"], "8,16,32,auto").map((v) =>
    v === "auto" ? ("auto" as const) : positiveInts([v], "--sweep-concurrency")[0]!,
  );
  const [sweepLimit] = positiveInts([values["sweep-limit"] ?? "5000"], "--sweep-limit");
  const [sweepLatencyMs] = nonNegativeInts([values["sweep-latency"] ?? "100"], "--sweep-latency");
  const [faultDevices] = positiveInts([values["fault-devices"] ?? (quick ? "30" : "200")], "--fault-devices");
  const [faultSeed] = positiveInts([values["fault-seed"] ?? "20261201"], "--fault-seed");
  const memorySizes = positiveInts(list(values["memory-devices"], "1000"), "--memory-devices");
  const memoryVariants = list(values["memory-variants"], "noop,fleet").map((v) => {
    if (v !== "noop" && v !== "fleet") throw new Error(`--memory-variants: "${v}" is not one of noop, fleet`);
    return v;
  });
  const [shardDevices] = positiveInts([values["shard-devices"] ?? "1000"], "--shard-devices");
  const shardLayouts = list(values["shard-layouts"], "1x1,10x2,10x4").map((layout) => {
    const m = /^(\d+)x(\d+)$/.exec(layout);
    if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new Error(`--shard-layouts: "${layout}" is not KxP (K shard stacks, P at a time), e.g. 10x4`);
    return { shards: Number(m[1]), parallel: Number(m[2]) };
  });
  const name = values.name ?? "latest";
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`--name: "${name}" is not a plain file name`);
  const outDir = path.resolve(PACKAGE_ROOT, values.out ?? path.join("bench", "results"));
  const options = {
    only,
    quick,
    sizes,
    modes,
    target,
    rateLimits,
    rateDevices,
    listDevices,
    gets,
    concurrencies,
    latenciesMs,
    driftDevices,
    exportDevices,
    exportEntries,
    exportConcurrencies,
    exportLatenciesMs,
    ...(only.includes("adopt") ? { adoptSizes, adoptVariants, adoptLean: values["adopt-lean"] === true } : {}),
    ...(only.includes("parallelism") ? { sweepDevices, sweepParallel, sweepConcurrency, sweepLimit, sweepLatencyMs } : {}),
    ...(only.includes("memory") ? { memorySizes, memoryVariants } : {}),
    ...(only.includes("shards") ? { shardDevices, shardLayouts } : {}),
    ...(only.includes("faults") ? { faultDevices, faultSeed, faultWithout429: values["fault-without-429"] === true } : {}),
  };

  if (values.merge !== undefined) return mergeResults(list(values.merge, ""), outDir, name, target!);

  const started = new Date();
  const machine = machineInfo();
  const log = (s: string): void => void process.stdout.write(`${s}\n`);
  log(`Benchmarks on ${machine.cpus} CPUs, Node ${machine.node}, load ${machine.load1AtStart}: ${JSON.stringify(options)}`);
  const results: BenchResults = {
    format: "pulumi-soracom-sigfox-bench/1",
    startedAt: started.toISOString(),
    finishedAt: started.toISOString(),
    durationSeconds: 0,
    machine: { ...machine, load1AtEnd: machine.load1AtStart },
    git: gitInfo(),
    pulumiCli: only.some((s) => s !== "client") ? pulumiVersion() : "not used",
    options,
    fleet: [],
    extrapolation: [],
    rateLimit: [],
    parallelism: [],
    problems: [],
  };
  const workRoot = benchWorkRoot();
  const save = (): void => {
    results.finishedAt = new Date().toISOString();
    results.durationSeconds = (Date.now() - started.getTime()) / 1000;
    results.machine.load1AtEnd = loadAverage();
    results.extrapolation = extrapolate(results.fleet, target!);
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(path.join(outDir, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
    fs.writeFileSync(path.join(outDir, `${name}.md`), markdownSummary(results));
  };
  const guard = async (what: string, run: () => Promise<void>): Promise<void> => {
    try {
      await run();
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      results.problems.push(`${what}: ${message.slice(0, 2000)}`);
      log(`  ${what} FAILED: ${message.slice(0, 2000)}`);
    }
    save();
  };

  if (only.includes("client")) {
    log(`\n== client: list ${listDevices} devices, ${gets} concurrent GETs`);
    await guard("client", async () => {
      results.client = await runClientScenario({ listDevices: listDevices!, gets: gets!, concurrencies, latenciesMs }, log);
      if (results.client.list.listed !== listDevices) results.problems.push(`client list: listed ${results.client.list.listed} of ${listDevices}`);
      for (const g of results.client.gets) {
        if (!g.capRespected) results.problems.push(`client GETs: ${g.maxInFlight} requests in flight with a cap of ${g.maxConcurrency}`);
        if (g.failures > 0) results.problems.push(`client GETs (cap ${g.maxConcurrency}): ${g.failures} failures`);
      }
    });
  }
  if (only.includes("drift")) {
    log(`\n== drift: ${driftDevices} managed devices, soracom-sigfox drift vs the plain listing`);
    await guard("drift", async () => {
      results.drift = await runDriftScenario(driftDevices!, path.join(workRoot, "drift"), log);
      results.problems.push(...driftProblems(results.drift));
    });
  }
  if (only.includes("export")) {
    log(`\n== export: ${exportDevices} devices x ${exportEntries} entries, concurrency ${exportConcurrencies.join(",")} + a page-of-10 baseline`);
    await guard("export", async () => {
      results.dataExport = await runExportScenario(
        { devices: exportDevices!, entriesPerDevice: exportEntries!, concurrencies: exportConcurrencies, latenciesMs: exportLatenciesMs },
        log,
      );
      for (const r of results.dataExport.runs) {
        if (r.failures > 0 || r.entries !== exportDevices! * exportEntries!)
          results.problems.push(
            `export (${r.label}, concurrency ${r.concurrency}, latency ${r.serverLatencyMs ?? 0} ms): ${r.entries} of ${exportDevices! * exportEntries!} entries, ${r.failures} failed devices`,
          );
      }
    });
  }
  if (only.includes("rate-limit")) {
    log(`\n== rate-limit: ${rateDevices} devices, limits off vs ${rateLimits.join(", ")}/min per operation`);
    for (const limit of [null, ...rateLimits]) {
      await guard(`rate-limit ${limit ?? "off"}`, async () => {
        const r = await runRateLimitScenario(rateDevices!, limit, workRoot, log);
        results.rateLimit.push(r);
        if (!r.ok) results.problems.push(`rate-limit ${limit ?? "off"}/min: the create did not finish cleanly${r.error ? `: ${r.error}` : ""}`);
      });
    }
  }
  if (only.includes("parallelism")) {
    log(
      `\n== parallelism: ${sweepDevices} creates under ${sweepLimit}/min, ${sweepLatencyMs} ms per register, engine --parallel ${sweepParallel.join(",")} x maxConcurrency ${sweepConcurrency.join(",")}`,
    );
    for (const parallel of sweepParallel) {
      for (const concurrency of sweepConcurrency) {
        await guard(`parallelism ${parallel}/${concurrency}`, async () => {
          const r = await runParallelismScenario(sweepDevices!, parallel, concurrency, sweepLimit!, sweepLatencyMs!, workRoot, log);
          results.parallelism!.push(r);
          if (!r.ok) results.problems.push(`parallelism --parallel ${parallel} maxConcurrency ${concurrency}: ${r.error ?? "not every device registered"}`);
        });
      }
    }
  }
  if (only.includes("memory")) {
    for (const n of memorySizes) {
      for (const variant of memoryVariants) {
        log(`\n== memory: ${variant} program, ${n} devices in one stack (up, preview --refresh)`);
        await guard(`memory ${variant} N=${n}`, async () => {
          const r = await runMemoryScenario(variant, n, workRoot, log);
          (results.memory ??= []).push(r);
          if (!r.ok) results.problems.push(`memory ${variant} N=${n}: ${r.error ?? "failed"}`);
        });
      }
    }
  }
  if (only.includes("shards")) {
    for (const { shards, parallel } of shardLayouts) {
      log(`\n== shards: ${shardDevices} devices as ${shards} stack(s), ${parallel} at a time`);
      await guard(`shards ${shards}x${parallel}`, async () => {
        const r = await runShardLayout(shardDevices!, shards, parallel, workRoot, log);
        (results.shards ??= []).push(r);
        if (!r.ok) results.problems.push(`shards ${shards}x${parallel}: ${r.error ?? "failed"}`);
      });
    }
  }
  if (only.includes("faults")) {
    log(`\n== faults: ${faultDevices} devices, one up under write faults vs a fault-free baseline (seed ${faultSeed})`);
    await guard("faults", async () => {
      const r = await runFaultScenario(faultDevices!, faultSeed!, values["fault-without-429"] !== true, workRoot, log);
      (results.faults ??= []).push(r);
      for (const v of r.violations) results.problems.push(`faults N=${faultDevices}: ${v}`);
    });
  }
  if (only.includes("fleet")) {
    for (const mode of modes) {
      for (const n of sizes) {
        log(`\n== fleet: ${n} devices, checkpoint mode ${mode} ${JSON.stringify(CHECKPOINT_MODES[mode])}`);
        await guard(`fleet ${mode} N=${n}`, async () => {
          const r = await runFleetScenario(n, mode, workRoot, log);
          results.fleet.push(r);
          for (const v of r.violations) results.problems.push(`fleet ${mode} N=${n}: ${v}`);
        });
      }
    }
  }
  if (only.includes("adopt")) {
    for (const n of adoptSizes) {
      log(`\n== adopt: ${n} existing devices, import + adopt-only vs with PACs`);
      await guard(`adopt N=${n}`, async () => {
        const r = await runAdoptScenario(n, workRoot, log, { variants: adoptVariants, ...(adoptEngineEnv ? { engineEnv: adoptEngineEnv } : {}) });
        (results.adopt ??= []).push(r);
        for (const v of r.violations) results.problems.push(`adopt N=${n}: ${v}`);
      });
    }
  }
  save();
  log("");
  log(markdownSummary(results));
  log(`Results: ${path.relative(process.cwd(), path.join(outDir, `${name}.json`))}, ${path.relative(process.cwd(), path.join(outDir, `${name}.md`))}`);
  return results.problems.length === 0 ? 0 : 1;
}

/** `--merge`: one result document from several runs (e.g. the default suite + a 1,000-device run). */
function mergeResults(files: string[], outDir: string, name: string, target: number): number {
  if (files.length === 0) throw new Error("--merge: no files");
  const docs = files.map((f) => JSON.parse(fs.readFileSync(path.resolve(f), "utf8")) as BenchResults);
  const first = docs[0]!;
  const merged: BenchResults = {
    ...first,
    options: {
      mergedFrom: files.map((f) => path.relative(PACKAGE_ROOT, path.resolve(f))),
      runs: docs.map((d) => ({ startedAt: d.startedAt, options: d.options, load1: [d.machine.load1AtStart, d.machine.load1AtEnd] })),
    },
    durationSeconds: docs.reduce((n, d) => n + d.durationSeconds, 0),
    fleet: docs.flatMap((d) => d.fleet).sort((a, b) => a.mode.localeCompare(b.mode) || a.devices - b.devices),
    rateLimit: docs.flatMap((d) => d.rateLimit),
    parallelism: docs.flatMap((d) => d.parallelism ?? []),
    problems: docs.flatMap((d) => d.problems),
  };
  const client = docs.find((d) => d.client)?.client;
  if (client) merged.client = client;
  const drift = docs.find((d) => d.drift)?.drift;
  if (drift) merged.drift = drift;
  const dataExport = docs.find((d) => d.dataExport)?.dataExport;
  if (dataExport) merged.dataExport = dataExport;
  merged.extrapolation = extrapolate(merged.fleet, target);
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, `${name}.json`), `${JSON.stringify(merged, null, 2)}\n`);
  fs.writeFileSync(path.join(outDir, `${name}.md`), markdownSummary(merged));
  console.log(markdownSummary(merged));
  return 0;
}

/** The commit measured, and the files that differed from it (the bench measures the working tree as built). */
function gitInfo(): { commit: string; dirty: string[] } {
  const run = (args: string[]): string => execFileSync("git", args, { cwd: PACKAGE_ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trimEnd();
  try {
    return {
      commit: run(["rev-parse", "HEAD"]),
      dirty: run(["status", "--porcelain", "--untracked-files=no", "--", "src"])
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => l.slice(3)),
    };
  } catch {
    return { commit: "unknown", dirty: [] };
  }
}

function pulumiVersion(): string {
  try {
    return execFileSync(path.join(pulumiCliDir(), "pulumi"), ["version"], {
      encoding: "utf8",
      env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
    }).trim();
  } catch {
    return "unknown";
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  },
);
