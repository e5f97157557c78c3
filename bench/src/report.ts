/**
 * Results: the JSON document written to `bench/results/latest.json`, the markdown summary
 * (`latest.md`, also printed), and the extrapolation to a target fleet size.
 */
import { readCalls, writeCalls, type AdoptRunResult } from "./scenario-adopt";
import type { ClientScenarioResult } from "./scenario-client";
import type { DriftScenarioResult } from "./scenario-drift";
import { exportMarkdown, type ExportScenarioResult } from "./scenario-export";
import type { FleetRunResult } from "./scenario-engine";
import type { ParallelismRunResult } from "./scenario-parallelism";
import type { MemoryRunResult, ShardLayoutResult } from "./scenario-scale";
import type { RateLimitRunResult } from "./scenario-rate-limit";
import type { StepResult } from "./harness";
import type { MachineInfo } from "./system";
import { fitLinear, fitQuadraticThroughOrigin, growthExponent } from "./extrapolate";

import type { FaultScenarioResult } from "./scenario-faults";

export interface BenchResults {
  format: "pulumi-soracom-sigfox-bench/1";
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  machine: MachineInfo & { load1AtEnd: number };
  pulumiCli: string;
  /** The commit measured and the source files that differed from it when the suite was built. */
  git: { commit: string; dirty: string[] };
  options: Record<string, unknown>;
  fleet: FleetRunResult[];
  extrapolation: Extrapolation[];
  rateLimit: RateLimitRunResult[];
  /** The engine --parallel x provider maxConcurrency sweep (absent in older result files). */
  parallelism?: ParallelismRunResult[];
  client?: ClientScenarioResult;
  /** The adopt scenario (only when asked: `--only adopt`). */
  adopt?: AdoptRunResult[];
  drift?: DriftScenarioResult;
  dataExport?: ExportScenarioResult;
  /** Scenario "memory": program memory and state size, the default program against a no-op floor. */
  memory?: MemoryRunResult[];
  /** Scenario "shards": one stack against K shard stacks run P at a time. */
  shards?: ShardLayoutResult[];
  /** Scenario "faults" (`--only faults`): one up under write faults against a fault-free baseline. */
  faults?: FaultScenarioResult[];
  /** Scenario errors and violated expectations; non-empty makes `npm run bench` exit 1. */
  problems: string[];
}

export interface Extrapolation {
  mode: string;
  step: string;
  target: number;
  fromSizes: number[];
  /** Measured log-log growth of seconds / state bytes written across the sizes (1 linear, 2 quadratic). */
  secondsExponent?: number;
  stateBytesExponent?: number;
  /** Linear fit of seconds, evaluated at `target`: a floor when the cost per device grows with N. */
  seconds?: number;
  /**
   * Checkpoint model (modes that write per-step checkpoints, when the `lean` mode ran at the same
   * sizes): the lean mode's linear seconds at `target` + the measured seconds per byte of extra state
   * written (default − lean, fitted through the origin) × `stateBytesWritten` at `target`.
   */
  secondsCheckpointModel?: number;
  /** The fitted cost of state writing, in seconds per MiB written. */
  secondsPerMiBWritten?: number;
  /** b·N + c·N² fit of state bytes written, evaluated at `target`. */
  stateBytesWritten?: number;
  /** Calls per device measured × target. */
  apiCalls?: number;
  /** HTTP bytes per device measured (largest size) × target. */
  httpBytes?: number;
  /** Final checkpoint size per device (largest size) × target. */
  checkpointBytes?: number;
}

export function stateBytes(s: StepResult): number {
  return s.state ? s.state.checkpointBytes + s.state.backupBytes + s.state.otherNewBytes : 0;
}

export function extrapolate(fleet: FleetRunResult[], target: number): Extrapolation[] {
  const out: Extrapolation[] = [];
  const modes = [...new Set(fleet.map((f) => f.mode))];
  for (const mode of modes) {
    const runs = fleet.filter((f) => f.mode === mode).sort((a, b) => a.devices - b.devices);
    if (runs.length < 2) continue;
    const largest = runs[runs.length - 1]!;
    for (const step of largest.steps.map((s) => s.step)) {
      const pts = runs.flatMap((r) => {
        const s = r.steps.find((x) => x.step === step);
        return s ? [{ n: r.devices, s }] : [];
      });
      const secPts = pts.map((p) => ({ x: p.n, y: p.s.seconds }));
      const bytePts = pts.filter((p) => p.s.state).map((p) => ({ x: p.n, y: stateBytes(p.s) }));
      const lin = fitLinear(secPts);
      const quad = fitQuadraticThroughOrigin(bytePts);
      const model = checkpointModel(fleet, mode, step, target, quad ? quad.b * target + quad.c * target * target : undefined);
      const big = pts[pts.length - 1]!;
      const e: Extrapolation = {
        mode,
        step,
        target,
        fromSizes: pts.map((p) => p.n),
        ...(growthExponent(secPts) !== undefined ? { secondsExponent: round2(growthExponent(secPts)!) } : {}),
        ...(bytePts.length >= 2 && growthExponent(bytePts) !== undefined ? { stateBytesExponent: round2(growthExponent(bytePts)!) } : {}),
        ...(lin ? { seconds: Math.round(lin.a + lin.b * target) } : {}),
        ...(model ?? {}),
        ...(quad && bytePts.length >= 2 ? { stateBytesWritten: Math.round(quad.b * target + quad.c * target * target) } : {}),
        apiCalls: Math.round((big.s.apiCalls / big.n) * target),
        httpBytes: Math.round(((big.s.http.bytesSent + big.s.http.bytesReceived) / big.n) * target),
        ...(step === "create" ? { checkpointBytes: Math.round((largest.afterCreate.checkpointJsonBytes / largest.devices) * target) } : {}),
      };
      out.push(e);
    }
  }
  return out;
}

/** See {@link Extrapolation.secondsCheckpointModel}. */
function checkpointModel(
  fleet: FleetRunResult[],
  mode: string,
  step: string,
  target: number,
  bytesAtTarget: number | undefined,
): Pick<Extrapolation, "secondsCheckpointModel" | "secondsPerMiBWritten"> | undefined {
  if (mode === "lean" || bytesAtTarget === undefined) return undefined;
  const stepOf = (m: string, n: number): StepResult | undefined => fleet.find((f) => f.mode === m && f.devices === n)?.steps.find((s) => s.step === step);
  const pairs = fleet
    .filter((f) => f.mode === mode)
    .flatMap((f) => {
      const own = stepOf(mode, f.devices);
      const lean = stepOf("lean", f.devices);
      return own?.state && lean?.state ? [{ n: f.devices, dt: own.seconds - lean.seconds, extra: stateBytes(own) - stateBytes(lean) }] : [];
    });
  const leanFit = fitLinear(
    fleet
      .filter((f) => f.mode === "lean")
      .flatMap((f) => {
        const s = stepOf("lean", f.devices);
        return s ? [{ x: f.devices, y: s.seconds }] : [];
      }),
  );
  if (pairs.length < 2 || !leanFit) return undefined;
  const sxy = pairs.reduce((s, p) => s + p.extra * p.dt, 0);
  const sxx = pairs.reduce((s, p) => s + p.extra * p.extra, 0);
  if (sxx === 0) return undefined;
  const perByte = Math.max(0, sxy / sxx);
  return {
    secondsCheckpointModel: Math.round(leanFit.a + leanFit.b * target + perByte * bytesAtTarget),
    secondsPerMiBWritten: Math.round(perByte * 2 ** 20 * 10000) / 10000,
  };
}

const OP_SHORT: Record<string, string> = {
  registerSigfoxDevice: "register",
  enableTerminationOnSigfoxDevice: "enable_termination",
  disableTerminationOnSigfoxDevice: "disable_termination",
  getSigfoxDevice: "get",
  putSigfoxDeviceTags: "put_tags",
  deleteSigfoxDeviceTag: "delete_tag",
  terminateSigfoxDevice: "terminate",
  listSigfoxDevices: "list",
  setSigfoxDeviceGroup: "set_group",
  unsetSigfoxDeviceGroup: "unset_group",
};

export function formatCalls(calls: Record<string, number>): string {
  const parts = Object.entries(calls)
    .filter(([op]) => op !== "auth")
    .map(([op, n]) => `${OP_SHORT[op] ?? op} ${n}`);
  return parts.length === 0 ? "0" : parts.join(", ");
}

export function bytes(n: number | undefined): string {
  if (n === undefined) return "–";
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

function secs(n: number | undefined): string {
  if (n === undefined) return "–";
  if (n >= 3600) return `${(n / 3600).toFixed(1)} h`;
  if (n >= 120) return `${(n / 60).toFixed(1)} min`;
  return `${n.toFixed(1)} s`;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

function table(header: string[], rows: (string | number)[][]): string {
  const lines = [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`];
  for (const r of rows) lines.push(`| ${r.join(" | ")} |`);
  return lines.join("\n");
}

export function markdownSummary(r: BenchResults): string {
  const out: string[] = [];
  out.push(`# Benchmark results`);
  out.push("");
  out.push(
    `${r.startedAt} · ${r.durationSeconds.toFixed(0)} s · ${r.machine.cpus} CPUs (${r.machine.cpuModel}), ${r.machine.memoryGiB} GiB · Node ${r.machine.node} · Pulumi CLI ${r.pulumiCli} · ` +
      `load average (1 min) ${r.machine.load1AtStart} at start, ${r.machine.load1AtEnd} at end (the machine is shared: absolute seconds are noisy, calls and bytes are not)`,
  );
  out.push("");
  out.push(
    `Commit ${(r.git?.commit ?? "unknown").slice(0, 12)}${(r.git?.dirty.length ?? 0) > 0 ? ` with uncommitted changes in ${r.git!.dirty.join(", ")}` : ""}. Options: \`${JSON.stringify(r.options)}\``,
  );

  if (r.adopt !== undefined && r.adopt.length > 0) {
    out.push("", "## Adopting existing devices (import + adopt-only vs with PACs)", "");
    out.push(
      "Reads = `getSigfoxDevice` + `listSigfoxDevices`; writes = every other call but auth. The adopt-only `up` must make 0 writes and at most min(N, ceil(A/100)) + 20 reads.",
    );
    out.push("");
    const rows = r.adopt.flatMap((a) =>
      a.variants.flatMap((v) =>
        v.steps.map((s) => [
          a.devices,
          a.account,
          v.variant,
          s.step,
          secs(s.seconds),
          readCalls(s.calls),
          writeCalls(s.calls),
          formatCalls(s.calls),
          bytes(s.http.bytesSent + s.http.bytesReceived),
          s.load1,
        ]),
      ),
    );
    out.push(table(["N", "A", "variant", "step", "time", "reads", "writes", "API calls", "HTTP bytes", "load"], rows));
    out.push("");
    for (const a of r.adopt)
      out.push(`N=${a.devices}: read bound ${a.readBound}; ${a.violations.length === 0 ? "all expectations met" : a.violations.join("; ")}`);
  }

  if (r.fleet.length > 0) {
    out.push("", "## Fleet through the real engine", "");
    out.push(
      "API calls are counted by the emulator (auth excluded); HTTP bytes are request + response bytes (headers and bodies) between the provider process and the emulator; " +
        "state writes are the checkpoint rewrites seen on disk; state bytes written = checkpoint rewrites + `.bak` copies + new history/backup files.",
    );
    out.push("");
    const rows: (string | number)[][] = [];
    for (const f of r.fleet) {
      for (const s of f.steps) {
        rows.push([
          f.mode,
          f.devices,
          s.step,
          secs(s.seconds),
          formatCalls(s.calls),
          (s.apiCalls / f.devices).toFixed(2),
          s.statuses["429"] ?? 0,
          bytes(s.http.bytesSent + s.http.bytesReceived),
          s.state ? s.state.checkpointWrites : "–",
          s.state ? bytes(stateBytes(s)) : "–",
          s.state ? bytes(s.state.finalCheckpointBytes) : "–",
          s.load1,
        ]);
      }
    }
    out.push(
      table(
        [
          "mode",
          "N",
          "step",
          "time",
          "API calls",
          "calls/device",
          "429s",
          "HTTP bytes",
          "checkpoint writes",
          "state bytes written",
          "checkpoint after",
          "load",
        ],
        rows,
      ),
    );
    out.push("");
    out.push(
      table(
        ["mode", "N", "checkpoint after create (on disk)", "JSON bytes per device", "`__provider` bytes per device (inputs + outputs)", "expectations"],
        r.fleet.map((f) => [
          f.mode,
          f.devices,
          bytes(f.afterCreate.checkpointBytesOnDisk),
          f.afterCreate.checkpointBytesPerDevice,
          f.afterCreate.providerBytesPerResource,
          f.violations.length === 0 ? "all met" : f.violations.join("; "),
        ]),
      ),
    );
    const big = [...r.fleet].sort((a, b) => b.devices - a.devices)[0];
    if (big?.afterCreate.deviceResourceBreakdown) {
      out.push("");
      out.push(
        `One device resource in the checkpoint (compact JSON bytes; the file is indented, hence the larger per-device figure above): ` +
          Object.entries(big.afterCreate.deviceResourceBreakdown)
            .map(([k, v]) => `${k} ${v}`)
            .join(" · "),
      );
    }
    if (r.extrapolation.length > 0) {
      const target = r.extrapolation[0]!.target;
      out.push("", `### Extrapolation to ${target.toLocaleString("en-US")} devices (NOT measured)`, "");
      out.push(
        "Fitted on the sizes above: seconds linearly (a + b·N: a floor, it ignores the growing checkpoint); state bytes written as b·N + c·N²; " +
          "the checkpoint model = the lean mode's linear seconds + the measured seconds per MiB of extra state written (default − lean) × the extrapolated state bytes; API calls and HTTP bytes per device × N. " +
          "Growth exponents are log-log slopes between the smallest and largest size (1 = linear, 2 = quadratic).",
      );
      out.push("");
      out.push(
        table(
          [
            "mode",
            "step",
            "sizes",
            "time exp.",
            "time @target (linear)",
            "s per MiB written",
            "time @target (checkpoint model)",
            "state bytes exp.",
            "state bytes written @target",
            "checkpoint JSON @target",
            "API calls @target",
            "HTTP bytes @target",
          ],
          r.extrapolation.map((e) => [
            e.mode,
            e.step,
            e.fromSizes.join(","),
            e.secondsExponent ?? "–",
            secs(e.seconds),
            e.secondsPerMiBWritten ?? "–",
            secs(e.secondsCheckpointModel),
            e.stateBytesExponent ?? "–",
            bytes(e.stateBytesWritten),
            bytes(e.checkpointBytes),
            e.apiCalls ?? "–",
            bytes(e.httpBytes),
          ]),
        ),
      );
    }
  }

  if ((r.memory ?? []).length > 0) {
    out.push("", "## Program memory and state size (one stack, lean checkpoints)", "");
    const floor = (n: number, step: string) => r.memory!.find((m) => m.variant === "noop" && m.devices === n)?.steps.find((s) => s.step === step)?.program;
    out.push(
      table(
        [
          "program",
          "N",
          "step",
          "time",
          "API calls",
          "program peak RSS",
          "× no-op",
          "program peak heap",
          "CLI peak RSS",
          "provider peak RSS",
          "device state bytes",
          "checkpoint bytes / device",
          "load",
        ],
        r.memory!.flatMap((m) =>
          m.steps.map((s) => {
            const base = floor(m.devices, s.step);
            return [
              m.variant,
              m.devices,
              s.step,
              secs(s.seconds),
              formatCalls(s.apiCalls),
              s.program ? `${s.program.peakRssMiB} MiB` : "–",
              s.program && base ? (s.program.peakRssMiB / base.peakRssMiB).toFixed(2) : "–",
              s.program ? `${s.program.peakHeapMiB} MiB` : "–",
              s.memory.roles.cli ? `${s.memory.roles.cli.peakMiB} MiB` : "–",
              s.memory.roles.provider ? `${s.memory.roles.provider.peakMiB} MiB` : "–",
              s.step === "up" ? m.deviceStateBytes : "",
              s.step === "up" ? m.checkpointBytesPerDevice : "",
              s.load1,
            ];
          }),
        ),
      ),
    );
  }

  if ((r.shards ?? []).length > 0) {
    out.push("", "## One stack against shard stacks (`up`, lean checkpoints, engine --parallel 32)", "");
    out.push(
      table(
        [
          "N",
          "stacks",
          "at a time",
          "result",
          "time",
          "API calls",
          "program peak RSS (each)",
          "CLI peak RSS (each)",
          "provider peak RSS (each)",
          "all processes at once",
          "state bytes written",
          "load",
        ],
        r.shards!.map((x) => [
          x.devices,
          x.shards,
          x.parallel,
          x.ok ? "ok" : `FAILED${x.error ? `: ${x.error}` : ""}`,
          secs(x.seconds),
          formatCalls(x.apiCalls),
          x.memory.roles.program ? `${x.memory.roles.program.peakMiB} MiB` : "–",
          x.memory.roles.cli ? `${x.memory.roles.cli.peakMiB} MiB` : "–",
          x.memory.roles.provider ? `${x.memory.roles.provider.peakMiB} MiB` : "–",
          `${x.memory.peakTotalMiB} MiB`,
          bytes(x.stateBytesWritten),
          x.load1,
        ]),
      ),
    );
  }

  if ((r.parallelism ?? []).length > 0) {
    out.push("", "## Parallelism sweep: engine --parallel x provider maxConcurrency (lean checkpoints)", "");
    out.push(
      table(
        ["N", "limit/min", "latency", "engine --parallel", "maxConcurrency", "result", "time", "API calls", "429s", "max in flight", "load"],
        r.parallelism!.map((x) => [
          x.devices,
          x.limitPerMinute,
          `${x.latencyMs ?? 0} ms`,
          x.engineParallel,
          x.providerConcurrency,
          x.ok ? "ok" : `FAILED${x.error ? `: ${x.error}` : ""}`,
          secs(x.step?.seconds),
          x.step?.apiCalls ?? "–",
          x.step?.statuses["429"] ?? 0,
          x.step?.http.maxInFlight ?? "–",
          x.step?.load1 ?? "–",
        ]),
      ),
    );
  }

  if (r.rateLimit.length > 0) {
    out.push("", "## Fleet create under a per-minute rate limit", "");
    out.push(
      table(
        ["limit/min/operation", "N", "result", "time", "lower bound", "API calls (incl. refused)", "429s", "accepted per 1-min window", "HTTP bytes", "load"],
        r.rateLimit.map((x) => [
          x.limitPerMinute ?? "off",
          x.devices,
          x.ok ? "ok" : `FAILED${x.error ? `: ${x.error}` : ""}`,
          secs(x.step?.seconds),
          x.limitPerMinute === null ? "–" : secs(x.lowerBoundSeconds),
          x.step ? formatCalls(x.step.calls) : "–",
          x.rateLimited429,
          x.windows ? x.windows.map((w) => `${w.accepted}${w.refused429 ? ` (+${w.refused429}×429)` : ""}`).join(" / ") : "–",
          x.step ? bytes(x.step.http.bytesSent + x.step.http.bytesReceived) : "–",
          x.step?.load1 ?? "–",
        ]),
      ),
    );
  }

  if (r.client) {
    const c = r.client;
    out.push("", "## Client only (no engine)", "");
    out.push(
      table(
        ["operation", "items", "time", "throughput", "API calls", "HTTP bytes (sent / received)", "client body bytes received", "load"],
        [
          [
            `list all (pagination)`,
            `${c.list.listed} of ${c.list.devices}`,
            secs(c.list.seconds),
            `${(c.list.listed / c.list.seconds).toFixed(0)} devices/s`,
            `${formatCalls(c.list.calls)} (pages)`,
            `${bytes(c.list.http.bytesSent)} / ${bytes(c.list.http.bytesReceived)}`,
            bytes(c.list.client.bytesReceived),
            c.list.load1,
          ],
        ],
      ),
    );
    out.push("");
    out.push(
      table(
        [
          "concurrent GETs",
          "cap (maxConcurrency)",
          "server latency",
          "time",
          "GETs/s",
          "max in flight (server side)",
          "cap respected",
          "failures",
          "429s",
          "HTTP bytes",
          "load",
        ],
        c.gets.map((g) => [
          g.gets,
          g.maxConcurrency,
          `${g.serverLatencyMs} ms`,
          secs(g.seconds),
          g.perSecond.toFixed(0),
          g.maxInFlight,
          g.capRespected ? "yes" : "NO",
          g.failures,
          g.client.rateLimited,
          bytes(g.http.bytesSent + g.http.bytesReceived),
          g.load1,
        ]),
      ),
    );
  }
  if (r.drift) {
    const d = r.drift;
    out.push("", `## Drift detection: ${d.managed} managed + ${d.unmanaged} unmanaged devices`, "");
    out.push(
      table(
        ["way", "time", "× listing", "API calls", "peak RSS", "load"],
        [
          ["plain listing (`collectAll(client.sigfoxDevices())`, in process)", secs(d.listing.seconds), "1×", `${d.listing.calls} list`, "–", "–"],
          ...d.runs.map((x) => [
            `\`soracom-sigfox drift --${x.source}\` (child process)`,
            secs(x.seconds),
            `${(x.seconds / d.listing.seconds).toFixed(1)}×`,
            `${x.apiCalls.list} list + ${x.apiCalls.get} get`,
            `${x.peakRssMiB.toFixed(0)} MiB`,
            x.load1,
          ]),
        ],
      ),
    );
  }
  if (r.dataExport) out.push(...exportMarkdown(r.dataExport, table));
  if (r.problems.length > 0) {
    out.push("", "## Problems", "", ...r.problems.map((p) => `- ${p}`));
  }
  if (r.faults && r.faults.length > 0) {
    out.push("", "## Fleet under write faults (one `pulumi up`)", "");
    out.push(
      "10 % 503, 5 % 429, 2 % connection dropped after the commit on register, put_tags, set_group and enable_termination (seeded). Baseline: the same fleet without faults, in its own emulator and stack.",
    );
    out.push("");
    const rows: (string | number)[][] = [];
    for (const f of r.faults) {
      for (const [run, x] of [
        ["baseline", f.baseline],
        ["faults", f.faulted],
      ] as const) {
        const a = x.audit;
        rows.push([
          f.devices,
          run === "faults" && f.rateLimited === false ? "faults without 429" : run,
          secs(x.seconds),
          formatCalls(x.calls),
          a.registered,
          a.orphans.length,
          a.duplicateRegistrations.length,
          a.conflictingRegisters,
          a.notConverged.length,
        ]);
      }
      rows.push([
        f.devices,
        f.rateLimited === false ? "ratio (no 429s)" : "ratio",
        `${f.timeRatio.toFixed(2)}×`,
        `faults applied: ${formatCalls(f.faulted.faultsApplied)}`,
        "",
        "",
        "",
        "",
        "",
      ]);
    }
    out.push(table(["devices", "run", "seconds", "API calls", "registered", "orphans", "duplicate registrations", "409 registers", "not converged"], rows));
  }
  return `${out.join("\n")}\n`;
}
