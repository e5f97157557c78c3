/**
 * Runs one Pulumi operation (up, preview, refresh) on every shard stack of a fleet project through
 * the Automation API, `parallel` stacks at a time, and collects one result per shard. A failing
 * shard never stops the others; the caller decides the exit code from the results.
 *
 * Each stack is the project's own program (its Pulumi.yaml in `projectDir`) with the stack config
 * `fleet:shard` set to its shard, so `pulumi up -s prod-2of4` by hand deploys exactly what this does.
 */
import * as automation from "@pulumi/pulumi/automation";
import { userEngine } from "../engine/workspace";
import { formatShardSpec, loadFleetDefinition, SHARD_CONFIG_NAME, shardOfDevice, type ShardSpec } from "../fleet";
import { resolveFleetFile } from "../program/fleet-program";
import { allShards, otherShardCounts, shardStackName } from "./stacks";
import { SIGFOX_DEVICE_TYPE as DEVICE_TYPE } from "../provider/type-token";

/** Terminal colour codes in engine messages (ESC [ ... m). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching the ESC control character is the point
const ANSI_ESCAPE = /\x1b\[[0-9;]*m/g;

export const FLEET_OPERATIONS = ["up", "preview", "refresh"] as const;
export type FleetOperation = (typeof FLEET_OPERATIONS)[number];

/**
 * Pulumi's --parallel per shard stack. The engine's own default (4 x cores: 8 on a 2-core runner)
 * caps a fleet's throughput; see docs/benchmarks.md for the sweep behind this value.
 */
export const DEFAULT_ENGINE_PARALLEL = 32;
/** Shard stacks at once on one machine: each runs a CLI, a program and a provider process. */
export const DEFAULT_SHARDS_AT_ONCE = 2;

/** At most this many characters of a failed shard's error in the summary. */
const MAX_ERROR_CHARS = 600;

export interface ShardRunOptions {
  operation: FleetOperation;
  /** K: the number of shards. */
  shards: number;
  /** How many shard stacks run at once. */
  parallel: number;
  /** Pulumi's `--parallel` inside each stack. */
  engineParallel: number;
  /** The Pulumi project folder (its Pulumi.yaml). */
  projectDir: string;
  stackPrefix: string;
  /** Environment of the Pulumi CLI (backend, passphrase, credentials); default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Called whenever a shard's state or device count changes. */
  onProgress?: (shards: readonly ShardProgress[]) => void;
}

export type ShardState = "queued" | "running" | "succeeded" | "failed";

export interface ShardProgress {
  shard: string;
  stack: string;
  state: ShardState;
  /** Device steps finished (or, for a preview, planned). */
  devicesDone: number;
  /** Devices of this shard in the fleet file; null when the file could not be read here. */
  devicesTotal: number | null;
}

export interface ShardResult extends ShardProgress {
  state: "succeeded" | "failed";
  /** The engine's resource changes (`{same: 250}`, `{create: 3, same: 247}`, ...). */
  changes: Record<string, number>;
  /** Why the shard failed: the engine's error diagnostics, shortened. */
  error?: string;
}

export interface FleetRunSummary {
  operation: FleetOperation;
  shards: number;
  parallel: number;
  engineParallel: number;
  stackPrefix: string;
  /** The most shard stacks that were running at the same moment. */
  maxShardsAtOnce: number;
  succeeded: number;
  failed: number;
  results: ShardResult[];
}

/** Stacks of this fleet exist with another shard count: running K new stacks would claim their devices twice. */
export class ShardLayoutError extends Error {
  readonly code = "shard_layout" as const;
}

/**
 * Runs the operation on every shard; resolves when all are done (never rejects for a shard's failure).
 * @throws ShardLayoutError before running anything when stacks of the prefix exist with another K.
 */
export async function runShards(options: ShardRunOptions): Promise<FleetRunSummary> {
  const env = options.env ?? process.env;
  const engine = await userEngine(env);
  const ws = await automation.LocalWorkspace.create({ workDir: options.projectDir, pulumiCommand: engine.command, envVars: engine.envVars });
  const others = otherShardCounts(
    (await ws.listStacks()).map((s) => s.name),
    options.stackPrefix,
    options.shards,
  );
  if (others.length > 0) {
    const from = others.join(" and ");
    throw new ShardLayoutError(
      `stacks ${options.stackPrefix}-<i>of${from} exist: this fleet is deployed as ${from} shard stacks, not ${options.shards}. ` +
        `Running ${options.shards} shard stacks would put its devices in two stacks at once. ` +
        `Fix: \`soracom-sigfox fleet reshard --from ${others[0]} --to ${options.shards}\` first, or pass --shards ${others[0]}.`,
    );
  }
  const progress: ShardProgress[] = allShards(options.shards).map((shard) => ({
    shard: formatShardSpec(shard),
    stack: shardStackName(options.stackPrefix, shard),
    state: "queued",
    devicesDone: 0,
    devicesTotal: null,
  }));
  const results: ShardResult[] = new Array(options.shards);
  const report = () => options.onProgress?.(progress);
  const totals = new DeviceTotals(options.projectDir, env);

  let next = 0;
  let running = 0;
  let maxShardsAtOnce = 0;
  const worker = async (): Promise<void> => {
    while (next < options.shards) {
      const index = next++;
      const shard: ShardSpec = { index: index + 1, count: options.shards };
      const entry = progress[index]!;
      running++;
      maxShardsAtOnce = Math.max(maxShardsAtOnce, running);
      entry.state = "running";
      report();
      try {
        results[index] = await runOneShard(shard, entry, options, engine, totals, report);
      } finally {
        running--;
      }
      report();
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.parallel, options.shards) }, worker));

  const succeeded = results.filter((r) => r.state === "succeeded").length;
  return {
    operation: options.operation,
    shards: options.shards,
    parallel: options.parallel,
    engineParallel: options.engineParallel,
    stackPrefix: options.stackPrefix,
    maxShardsAtOnce,
    succeeded,
    failed: results.length - succeeded,
    results,
  };
}

async function runOneShard(
  shard: ShardSpec,
  entry: ShardProgress,
  options: ShardRunOptions,
  engine: Awaited<ReturnType<typeof userEngine>>,
  totals: DeviceTotals,
  report: () => void,
): Promise<ShardResult> {
  const errors: string[] = [];
  const onEvent = (event: automation.EngineEvent): void => {
    const finished = options.operation === "preview" ? event.resourcePreEvent?.metadata : event.resOutputsEvent?.metadata;
    if (finished?.type === DEVICE_TYPE) {
      entry.devicesDone++;
      report();
    }
    const diag = event.diagnosticEvent;
    if (diag?.severity === "error" && !diag.ephemeral) errors.push(cleanDiagnostic(diag.message));
  };
  try {
    const stack = await automation.LocalWorkspace.createOrSelectStack(
      { stackName: entry.stack, workDir: options.projectDir },
      { pulumiCommand: engine.command, envVars: engine.envVars },
    );
    await stack.setConfig(SHARD_CONFIG_NAME, { value: entry.shard });
    entry.devicesTotal = await totals.forShard(stack, shard);
    report();
    const common = { parallel: options.engineParallel, onEvent, onOutput: () => {} };
    let changes: Record<string, number> | undefined;
    if (options.operation === "up") changes = (await stack.up(common)).summary.resourceChanges;
    else if (options.operation === "refresh") changes = (await stack.refresh(common)).summary.resourceChanges;
    else changes = (await stack.preview(common)).changeSummary;
    entry.state = "succeeded";
    return { ...entry, state: "succeeded", changes: { ...changes } };
  } catch (error) {
    entry.state = "failed";
    return { ...entry, state: "failed", changes: {}, error: shardError(errors, error) };
  }
}

/** Devices per shard, from the fleet file the stack deploys (read once per file, PACs not required). */
class DeviceTotals {
  private readonly byFile = new Map<string, string[] | null>();
  constructor(
    private readonly projectDir: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  async forShard(stack: automation.Stack, shard: ShardSpec): Promise<number | null> {
    const configured = (await stack.getAllConfig())["fleet:file"]?.value;
    const file = resolveFleetFile({ baseDir: this.projectDir, env: this.env, ...(configured ? { fleetFile: configured } : {}) });
    if (!this.byFile.has(file)) this.byFile.set(file, readDeviceIds(file, this.projectDir, this.env));
    const ids = this.byFile.get(file);
    return ids ? ids.filter((id) => shardOfDevice(id, shard.count) === shard.index).length : null;
  }
}

function readDeviceIds(file: string, cwd: string, env: NodeJS.ProcessEnv): string[] | null {
  try {
    const fleet = loadFleetDefinition(file, { env, cwd, missingPacs: "warning" });
    return [...fleet.devices.map((d) => d.deviceId), ...fleet.devicesWithoutPac];
  } catch {
    // The program will report what is wrong with the file; the display just has no total.
    return null;
  }
}

function cleanDiagnostic(message: string): string {
  return message.replace(ANSI_ESCAPE, "").trim();
}

/** The engine's error diagnostics if any, else the `error:` lines of the CLI's stderr, else its message. */
function shardError(diagnostics: string[], error: unknown): string {
  let text = diagnostics.filter((d) => d !== "").join("\n");
  if (text === "") {
    const message = error instanceof Error ? error.message : String(error);
    const errorLines = cleanDiagnostic(message)
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l.startsWith("error:"));
    text = errorLines.length > 0 ? errorLines.join("\n") : (cleanDiagnostic(message).split("\n")[0] ?? "failed");
  }
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS - 3)}...` : text;
}
