/**
 * Scenario "faults": a fleet deployed with ONE `pulumi up` while every write operation fails at
 * random (issue 10): 10 % HTTP 503, 5 % HTTP 429, 2 % connection dropped after the server committed,
 * on `register`, `put_tags`, `set_group` and `enable_termination`, from seeded random sources. The
 * same fleet is first deployed without faults (the baseline, in its own emulator and stack).
 *
 * What must hold: the up succeeds, every declared device is registered exactly once (no duplicate
 * registration: a register that committed is never followed by another one that commits) and is in the
 * declared state, and no device is registered without being in the stack (no orphan).
 * test/provider/faults.engine.test.ts runs it at a smaller size.
 */
import type { RunningEmulator } from "#src/emulator/index";
import type { RequestLogEntry } from "#src/emulator/control/request-log";
import type { FaultRequest } from "#src/emulator/control/schemas";
import type { FleetFile } from "#src/fleet/index";
import { benchDevices, type BenchDevice } from "./fixture";
import { FleetStack, SIGFOX_DEVICE_TYPE, type StepResult } from "./harness";

/** The write operations the faults hit (the client never replays `register`; the others are idempotent). */
export const FAULTED_OPERATIONS = ["registerSigfoxDevice", "putSigfoxDeviceTags", "setSigfoxDeviceGroup", "enableTerminationOnSigfoxDevice"] as const;

/**
 * The faults of the scenario, per operation, from seeded random sources. The first matching fault
 * applies, so the rates are nominal: 2 % drops, then 5 % of the rest 429, then 10 % of the rest 503.
 */
export function fleetFaults(seed: number, options: { rateLimited?: boolean } = {}): FaultRequest[] {
  return FAULTED_OPERATIONS.flatMap((operation, i) => [
    { operation, drop: "after" as const, probability: 0.02, seed: seed + 10 * i + 1 },
    ...(options.rateLimited === false ? [] : [{ operation, status: 429, probability: 0.05, seed: seed + 10 * i + 2 }]),
    { operation, status: 503, probability: 0.1, seed: seed + 10 * i + 3 },
  ]);
}

export const FAULT_FLEET_GROUPS = ["0f0f0f0f-1111-4111-8111-000000000001", "0f0f0f0f-2222-4222-8222-000000000002"];

/** Tags on every device; a group on two devices in three; termination enabled on every other one. */
export function faultFleetDefinition(devices: BenchDevice[]): FleetFile {
  return {
    version: 1,
    defaults: { tags: { project: "faults" } },
    devices: devices.map((d, i) => ({
      deviceId: d.deviceId,
      pac: d.pac,
      tags: { site: `site-${i % 7}` },
      ...(i % 3 !== 2 ? { groupId: FAULT_FLEET_GROUPS[i % 2]! } : {}),
      ...(i % 2 === 0 ? { terminationEnabled: true } : {}),
    })),
  };
}

/** What the emulator and the stack say after a deployment. Every count but `registered` must be 0. */
export interface FleetAudit {
  /** Declared devices registered to the operator. */
  registered: number;
  /** Declared devices not registered to the operator, or not in the stack. */
  missing: string[];
  /** Devices registered to the operator that the stack does not hold. */
  orphans: string[];
  /** Devices with more than one register call that took effect (2xx, or dropped after the commit). */
  duplicateRegistrations: string[];
  /** Register calls answered 409 (a register sent again although the device was already registered). */
  conflictingRegisters: number;
  /** Devices whose tags, group or termination flag differ from the declaration. */
  notConverged: string[];
}

/** Device IDs (upper case) of the SigfoxDevice resources of a checkpoint's resource list. */
export function stackDeviceIds(resources: ReadonlyArray<{ type: string; outputs?: unknown }>): Set<string> {
  return new Set(
    resources.filter((r) => r.type === SIGFOX_DEVICE_TYPE).map((r) => String((r.outputs as { deviceId?: string } | undefined)?.deviceId ?? "").toUpperCase()),
  );
}

/**
 * Audits a deployment: the emulator's state and request log (every request since the deployment
 * began, across interrupted runs) against the declaration and the stack's device IDs.
 */
export async function auditFleet(emulator: RunningEmulator, inStack: Set<string>, definition: FleetFile, requests: RequestLogEntry[]): Promise<FleetAudit> {
  const operatorId = emulator.credentials.operatorId;
  const live = (await emulator.control.state()).devices;
  const owned = new Map(live.filter((d) => d.ownerOperatorId === operatorId && d.status !== "terminated").map((d) => [d.deviceId.toUpperCase(), d]));
  const committed = new Map<string, number>();
  let conflictingRegisters = 0;
  for (const r of requests) {
    if (r.operation !== "registerSigfoxDevice") continue;
    const id = (r.path.split("/")[3] ?? "").toUpperCase();
    if (r.status === 409) conflictingRegisters++;
    const tookEffect = (r.status !== null && r.status >= 200 && r.status < 300) || r.fault === "drop:after";
    if (tookEffect) committed.set(id, (committed.get(id) ?? 0) + 1);
  }
  const audit: FleetAudit = { registered: 0, missing: [], orphans: [], duplicateRegistrations: [], conflictingRegisters, notConverged: [] };
  const defaults = definition.defaults ?? {};
  for (const d of definition.devices ?? []) {
    const id = d.deviceId.toUpperCase();
    const device = owned.get(id);
    if (!device || !inStack.has(id)) {
      audit.missing.push(id);
      continue;
    }
    audit.registered++;
    const tags = { ...(defaults.tags ?? {}), ...(d.tags ?? {}) };
    const same =
      JSON.stringify(Object.entries(device.tags).sort()) === JSON.stringify(Object.entries(tags).sort()) &&
      (device.groupId ?? undefined) === (d.groupId ?? defaults.groupId) &&
      device.terminationEnabled === (d.terminationEnabled ?? defaults.terminationEnabled ?? false);
    if (!same) audit.notConverged.push(id);
  }
  for (const id of owned.keys()) if (!inStack.has(id)) audit.orphans.push(id);
  for (const [id, n] of committed) if (n > 1) audit.duplicateRegistrations.push(id);
  return audit;
}

/** Opens a stack for the fault fleet: the devices in the network registry, the groups in the account. */
export async function openFaultFleet(n: number, label: string, workRoot: string): Promise<{ fs: FleetStack; definition: FleetFile }> {
  const devices = benchDevices(n, "F");
  const definition = faultFleetDefinition(devices);
  const fs = await FleetStack.open({ label, devices, workRoot }, definition);
  await fs.emulator.control.seed({ groups: FAULT_FLEET_GROUPS.map((groupId) => ({ groupId })) });
  return { fs, definition };
}

/** One `pulumi up` of the fleet, with or without the faults; the outcome and its audit. */
export async function deployFleet(
  fs: FleetStack,
  definition: FleetFile,
  faults: FaultRequest[],
): Promise<{ step: StepResult; audit: FleetAudit; error?: string; faultsApplied: Record<string, number> }> {
  await fs.emulator.control.clearFaults();
  for (const f of faults) await fs.emulator.control.injectFault(f);
  let error: string | undefined;
  const step = await fs.step(
    "up",
    async (s) => {
      try {
        return await s.up();
      } catch (e) {
        error = e instanceof Error ? e.message : String(e);
        return undefined;
      }
    },
    true,
    true,
  );
  const requests = await fs.emulator.control.requests();
  await fs.emulator.control.clearFaults();
  const faultsApplied: Record<string, number> = {};
  for (const r of requests) if (r.fault) faultsApplied[`${r.operation}:${r.fault}`] = (faultsApplied[`${r.operation}:${r.fault}`] ?? 0) + 1;
  const audit = await auditFleet(fs.emulator, stackDeviceIds(fs.checkpoint().json.checkpoint?.latest?.resources ?? []), definition, requests);
  return { step, audit, faultsApplied, ...(error !== undefined ? { error } : {}) };
}

export interface FaultScenarioResult {
  devices: number;
  seed: number;
  /** False when the run had no injected 429s (each one blocks its operation until the rate-limit window ends). */
  rateLimited: boolean;
  baseline: { seconds: number; calls: Record<string, number>; apiCalls: number; audit: FleetAudit };
  faulted: {
    seconds: number;
    calls: Record<string, number>;
    apiCalls: number;
    statuses: Record<string, number>;
    faultsApplied: Record<string, number>;
    audit: FleetAudit;
    error?: string;
  };
  /** Faulted seconds / baseline seconds. */
  timeRatio: number;
  /** Seconds the client spent waiting out 429s is not separable from the engine's run; see docs/benchmarks.md. */
  violations: string[];
}

export async function runFaultScenario(
  n: number,
  seed: number,
  rateLimited: boolean,
  workRoot: string,
  log: (s: string) => void,
): Promise<FaultScenarioResult> {
  const run = async (label: string, faults: FaultRequest[]) => {
    const { fs, definition } = await openFaultFleet(n, label, workRoot);
    try {
      return await deployFleet(fs, definition, faults);
    } finally {
      await fs.close(process.env.BENCH_KEEP === "1");
    }
  };
  const base = await run(`faults-baseline-${n}`, []);
  log(`  faults N=${n} baseline: ${base.step.seconds.toFixed(1)} s, ${base.step.apiCalls} API calls ${JSON.stringify(base.step.calls)}`);
  const faulted = await run(`faults-${n}`, fleetFaults(seed, { rateLimited }));
  log(
    `  faults N=${n} faulted: ${faulted.step.seconds.toFixed(1)} s, ${faulted.step.apiCalls} API calls ${JSON.stringify(faulted.step.calls)}, faults ${JSON.stringify(faulted.faultsApplied)}`,
  );
  const violations: string[] = [];
  for (const [what, r] of [
    ["baseline", base],
    ["faulted", faulted],
  ] as const) {
    if (r.error) violations.push(`${what}: up failed: ${r.error.slice(0, 300)}`);
    const a = r.audit;
    if (a.registered !== n) violations.push(`${what}: ${a.registered}/${n} devices registered and in the stack (missing ${a.missing.slice(0, 5).join(",")})`);
    if (a.orphans.length) violations.push(`${what}: ${a.orphans.length} orphans`);
    if (a.duplicateRegistrations.length) violations.push(`${what}: ${a.duplicateRegistrations.length} duplicate registrations`);
    if (a.notConverged.length) violations.push(`${what}: ${a.notConverged.length} devices not in the declared state`);
  }
  return {
    devices: n,
    seed,
    rateLimited,
    baseline: { seconds: base.step.seconds, calls: base.step.calls, apiCalls: base.step.apiCalls, audit: base.audit },
    faulted: {
      seconds: faulted.step.seconds,
      calls: faulted.step.calls,
      apiCalls: faulted.step.apiCalls,
      statuses: faulted.step.statuses,
      faultsApplied: faulted.faultsApplied,
      audit: faulted.audit,
      ...(faulted.error !== undefined ? { error: faulted.error } : {}),
    },
    timeRatio: faulted.step.seconds / base.step.seconds,
    violations,
  };
}
