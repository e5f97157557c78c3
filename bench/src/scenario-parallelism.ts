/**
 * Scenario "parallelism": the same N-device create through the real engine for each pair of engine
 * `--parallel` and provider `soracom:maxConcurrency` (`auto` = unset: the limiter's cap follows the
 * advertised rate limit), with the emulator enforcing a per-minute limit. Checkpoints are skipped
 * (`lean`), so the pair is what is measured, not the checkpoint rewrites. Behind the defaults of
 * `soracom-sigfox fleet` (--engine-parallel) and the adaptive cap (docs/benchmarks.md).
 */
import { CHECKPOINT_MODES } from "./scenario-engine";
import { benchDevices, fleetDefinition } from "./fixture";
import { FleetStack, type StepResult } from "./harness";

export interface ParallelismRunResult {
  devices: number;
  engineParallel: number;
  /** `"auto"`: no `soracom:maxConcurrency` (adaptive). */
  providerConcurrency: number | "auto";
  limitPerMinute: number;
  /** The emulator's latency per register (absent in older result files: 0). */
  latencyMs?: number;
  ok: boolean;
  error?: string;
  step?: StepResult;
}

export async function runParallelismScenario(
  n: number,
  engineParallel: number,
  providerConcurrency: number | "auto",
  limitPerMinute: number,
  latencyMs: number,
  workRoot: string,
  log: (s: string) => void,
): Promise<ParallelismRunResult> {
  const devices = benchDevices(n, "D");
  const fs = await FleetStack.open(
    {
      label: `parallel-${engineParallel}-${providerConcurrency}-${n}`,
      devices,
      workRoot,
      engineEnv: CHECKPOINT_MODES.lean!,
      rateLimits: { enabled: true, limitPerMinute },
      ...(providerConcurrency !== "auto" ? { config: { "soracom:maxConcurrency": { value: String(providerConcurrency) } } } : {}),
    },
    // terminationEnabled false: create is exactly one register per device.
    fleetDefinition(devices, "1", false),
  );
  try {
    // A real API answers in tens to hundreds of milliseconds: with an instant emulator, the sweep
    // would only measure this machine's CPU, not what the knobs do to a fleet.
    if (latencyMs > 0) await fs.emulator.control.injectFault({ operation: "registerSigfoxDevice", latencyMs, probability: 1 });
    let error: string | undefined;
    const step = await fs.step("create", async (s) => {
      try {
        return await s.up({ parallel: engineParallel });
      } catch (e) {
        error = e instanceof Error ? e.message.split("\n").slice(-6).join(" ").slice(0, 600) : String(e);
        return undefined;
      }
    });
    const ok = error === undefined && (step.calls.registerSigfoxDevice ?? 0) === n;
    log(
      `  --parallel ${engineParallel}, maxConcurrency ${providerConcurrency}: ${step.seconds.toFixed(1)} s, ` +
        `${step.apiCalls} calls, ${step.statuses["429"] ?? 0} x 429, max ${step.http.maxInFlight} in flight${ok ? "" : ` FAILED ${error ?? ""}`}`,
    );
    return { devices: n, engineParallel, providerConcurrency, limitPerMinute, latencyMs, ok, ...(error ? { error } : {}), step };
  } finally {
    await fs.close();
  }
}
