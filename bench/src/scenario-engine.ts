/**
 * Scenario "fleet": a fleet of N devices through the real engine (Automation API + Pulumi CLI +
 * dynamic-provider host + provider process), against the emulator:
 *
 *   create → unchanged up → preview --refresh → one tag changed on every device → destroy
 *
 * once per checkpoint mode (`default`: the backend's defaults; `lean`: PULUMI_SKIP_CHECKPOINTS=true +
 * PULUMI_DIY_BACKEND_GZIP=true), recording seconds, API calls per operation, HTTP bytes, state bytes
 * written and `__provider` bytes per resource, and checking the call counts the provider promises.
 */
import { benchDevices, fleetDefinition } from "./fixture";
import { FleetStack, providerBytes, type StepResult } from "./harness";

export const CHECKPOINT_MODES: Record<string, Record<string, string>> = {
  default: {},
  lean: { PULUMI_SKIP_CHECKPOINTS: "true", PULUMI_DIY_BACKEND_GZIP: "true" },
  "lean-nobackup": { PULUMI_SKIP_CHECKPOINTS: "true", PULUMI_DIY_BACKEND_GZIP: "true", PULUMI_DIY_BACKEND_DISABLE_CHECKPOINT_BACKUPS: "true" },
  "default-nobackup": { PULUMI_DIY_BACKEND_DISABLE_CHECKPOINT_BACKUPS: "true" },
};

export interface FleetRunResult {
  mode: string;
  engineEnv: Record<string, string>;
  devices: number;
  steps: StepResult[];
  afterCreate: {
    checkpointBytesOnDisk: number;
    checkpointJsonBytes: number;
    providerBytesPerResource: number;
    checkpointBytesPerDevice: number;
    /** Bytes of one device resource by field (see `providerBytes`). */
    deviceResourceBreakdown: Record<string, number>;
  };
  /** Expectations on API calls that did not hold (empty when the provider behaved as promised). */
  violations: string[];
}

export async function runFleetScenario(n: number, mode: string, workRoot: string, log: (s: string) => void): Promise<FleetRunResult> {
  const engineEnv = CHECKPOINT_MODES[mode];
  if (!engineEnv) throw new Error(`unknown checkpoint mode ${mode} (known: ${Object.keys(CHECKPOINT_MODES).join(", ")})`);
  const devices = benchDevices(n);
  const fs = await FleetStack.open({ label: `fleet-${mode}-${n}`, devices, engineEnv, workRoot }, fleetDefinition(devices, "1"));
  const steps: StepResult[] = [];
  const violations: string[] = [];
  const expect = (cond: boolean, what: string): void => {
    if (!cond) violations.push(what);
  };
  const record = (r: StepResult): StepResult => {
    steps.push(r);
    log(`  ${mode} N=${n} ${r.step}: ${r.seconds.toFixed(1)} s, ${r.apiCalls} API calls ${JSON.stringify(r.calls)}, load ${r.load1}`);
    return r;
  };
  try {
    const create = record(await fs.step("create", (s) => s.up()));
    const cp = fs.checkpoint();
    const pb = providerBytes(cp.json);
    expect(create.calls.registerSigfoxDevice === n, `create: ${create.calls.registerSigfoxDevice ?? 0} register calls for ${n} devices`);
    expect(
      create.calls.enableTerminationOnSigfoxDevice === n,
      `create: ${create.calls.enableTerminationOnSigfoxDevice ?? 0} enable_termination calls for ${n} devices`,
    );
    expect(create.apiCalls === 2 * n, `create: ${create.apiCalls} API calls, expected ${2 * n} (register + enable_termination per device)`);

    const same = record(await fs.step("up (unchanged)", (s) => s.up()));
    expect(same.apiCalls === 0, `unchanged up: ${same.apiCalls} API calls, expected 0`);

    const refresh = record(await fs.step("preview --refresh", (s) => s.preview({ refresh: true }), false));
    // The provider's device directory: a few GETs, then list pages (the account holds exactly the fleet).
    const readBound = Math.min(n, Math.ceil(n / 100)) + 20;
    expect(
      refresh.apiCalls <= readBound && (refresh.calls.getSigfoxDevice ?? 0) + (refresh.calls.listSigfoxDevices ?? 0) === refresh.apiCalls,
      `preview --refresh: ${JSON.stringify(refresh.calls)}, expected only reads, at most min(N, ceil(N/100)) + 20 = ${readBound}`,
    );

    fs.definition = fleetDefinition(devices, "2");
    const retag = record(await fs.step("tag change", (s) => s.up()));
    expect(retag.calls.putSigfoxDeviceTags === n && retag.apiCalls === n, `tag change: ${JSON.stringify(retag.calls)}, expected ${n} putSigfoxDeviceTags`);

    const destroy = record(await fs.step("destroy", (s) => s.destroy()));
    expect(
      destroy.calls.terminateSigfoxDevice === n && destroy.apiCalls === n,
      `destroy: ${JSON.stringify(destroy.calls)}, expected ${n} terminateSigfoxDevice`,
    );

    return {
      mode,
      engineEnv,
      devices: n,
      steps,
      afterCreate: {
        checkpointBytesOnDisk: cp.bytesOnDisk,
        checkpointJsonBytes: Buffer.byteLength(cp.text),
        providerBytesPerResource: pb.providerBytesPerResource,
        checkpointBytesPerDevice: Math.round(Buffer.byteLength(cp.text) / n),
        deviceResourceBreakdown: pb.breakdown,
      },
      violations,
    };
  } finally {
    await fs.close(process.env.BENCH_KEEP === "1");
  }
}
