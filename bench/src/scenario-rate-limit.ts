/**
 * Scenario "rate-limit": a fleet create through the real engine while the emulator enforces a
 * per-minute limit per operation (fixed one-minute windows, like Soracom's), compared with the same
 * create without limits. The run must finish without failing; we count the 429s the emulator
 * answered (its request log) and compare the time with the lower bound the limit imposes:
 * ceil(N / limit) windows, i.e. at least (ceil(N / limit) - 1) × 60 s of waiting.
 */
import { benchDevices, fleetDefinition } from "./fixture";
import { FleetStack, type StepResult } from "./harness";

export interface RateLimitRunResult {
  devices: number;
  /** Requests per minute per operation; `null` = limits off (the baseline). */
  limitPerMinute: number | null;
  ok: boolean;
  error?: string;
  step?: StepResult;
  rateLimited429: number;
  /** Minimum seconds the limit forces (whole windows before the last one). */
  lowerBoundSeconds: number;
  /** Per one-minute window of the emulator (0 = the window the create started in): accepted and refused (429) calls. */
  windows: { accepted: number; refused429: number }[];
}

export async function runRateLimitScenario(n: number, limit: number | null, workRoot: string, log: (s: string) => void): Promise<RateLimitRunResult> {
  const devices = benchDevices(n, "C");
  const fs = await FleetStack.open(
    {
      label: `ratelimit-${limit ?? "off"}-${n}`,
      devices,
      workRoot,
      ...(limit !== null ? { rateLimits: { enabled: true, limitPerMinute: limit } } : {}),
    },
    // terminationEnabled false: create is exactly one register per device, so one bucket is limited.
    fleetDefinition(devices, "1", false),
  );
  const lowerBoundSeconds = limit === null ? 0 : (Math.ceil(n / limit) - 1) * 60;
  try {
    // Start the create at the beginning of a fresh one-minute window (windows are aligned to the
    // emulator clock's minutes), so that runs are comparable.
    const clock = await fs.emulator.control.clock();
    await fs.emulator.control.advanceClock((60_000 - (clock.nowMs % 60_000)) / 1000);
    let error: string | undefined;
    const step = await fs.step(
      "create",
      async (s) => {
        try {
          return await s.up();
        } catch (e) {
          error = e instanceof Error ? e.message.split("\n").slice(-6).join(" ").slice(0, 600) : String(e);
          return undefined;
        }
      },
      true,
      true,
    );
    const rateLimited429 = step.statuses["429"] ?? 0;
    const windows = perWindow(step.requestLog ?? [], clock.nowMs);
    log(
      `  rate limit ${limit ?? "off"}/min N=${n}: ${step.seconds.toFixed(1)} s, ${rateLimited429} × 429, per window ${windows.map((w) => w.accepted).join("/")}, ${error ? "FAILED" : "ok"}, load ${step.load1}`,
    );
    const registered = (await fs.emulator.control.state()).devices.filter((d) => d.ownerOperatorId !== undefined && d.ownerOperatorId !== null).length;
    const ok = error === undefined && registered === n;
    const { requestLog: _log, ...stepWithoutLog } = step;
    return { devices: n, limitPerMinute: limit, ok, ...(error ? { error } : {}), step: stepWithoutLog, rateLimited429, lowerBoundSeconds, windows };
  } finally {
    await fs.close(process.env.BENCH_KEEP === "1");
  }
}

/** Groups the API calls (auth excluded) by one-minute window of the emulator clock, from the window of `startMs`. */
function perWindow(log: { time: string; operation: string | null; status: number | null }[], startMs: number): { accepted: number; refused429: number }[] {
  const first = Math.floor(startMs / 60_000) + 1; // the clock was advanced to the next boundary
  const out: { accepted: number; refused429: number }[] = [];
  for (const r of log) {
    if (r.operation === "auth" || r.operation === null) continue;
    const i = Math.max(0, Math.floor(Date.parse(r.time) / 60_000) - first);
    while (out.length <= i) out.push({ accepted: 0, refused429: 0 });
    if (r.status === 429) out[i]!.refused429 += 1;
    else if (r.status !== null && r.status < 400) out[i]!.accepted += 1;
  }
  return out;
}
