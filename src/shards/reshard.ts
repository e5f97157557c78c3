/**
 * Resharding: moves every device of the K1 shard stacks `<prefix>-<i>of<K1>` into the K2 stacks
 * `<prefix>-<j>of<K2>` (j = the device's shard under K2) by rewriting state, so no device is
 * terminated or registered: the next `up` of each new stack finds its devices already there.
 *
 * Why not `pulumi state move` (3.260 has it): it re-parents a moved resource whose parent is not
 * moved to the destination's root stack, which changes the device's URN (the `SigfoxFleet` parent
 * type is part of it), so the next `up` would register the device anew under the fleet and
 * terminate the re-parented one. `--include-parents` instead moves the fleet component out of the
 * source and fails when the destination already has one. So this module moves the state itself:
 *
 * 1. exports each old stack (secrets decrypted, in memory only; never written to a file),
 * 2. adds each device, its URN rewritten for its new stack and parented to that stack's fleet
 *    component, to the new stack (copying the root stack, fleet component and provider records from
 *    the old stack when the new stack has none), and imports it through stdin: the CLI encrypts
 *    the secrets with the new stack's secrets provider,
 * 3. only when every new stack is written, removes the old stacks (`stack rm --force`: state only,
 *    no provider call).
 * Re-running after a failure is safe: devices already in their new stack are not added twice.
 */
import { spawn } from "node:child_process";
import * as automation from "@pulumi/pulumi/automation";
import { userEngine } from "../engine/workspace";
import { formatShardSpec, SHARD_CONFIG_NAME, shardOfDevice } from "../fleet";
import { allShards, shardStackName, shortStackName as shortName } from "./stacks";
import { SIGFOX_DEVICE_TYPE as DEVICE_TYPE } from "../provider/type-token";

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";
const PROVIDER_TYPE_PREFIX = "pulumi:providers:";

export interface ReshardOptions {
  from: number;
  to: number;
  projectDir: string;
  stackPrefix: string;
  env?: NodeJS.ProcessEnv;
  /** Progress lines (stderr). */
  log?: (line: string) => void;
}

export interface ReshardSummary {
  from: number;
  to: number;
  /** Devices moved, per new stack. */
  devicesPerStack: Record<string, number>;
  moved: number;
  removedStacks: string[];
}

/** One resource of a checkpoint, as `pulumi stack export` writes it (fields we do not touch are kept). */
interface StateResource {
  urn: string;
  type: string;
  id?: string;
  parent?: string;
  provider?: string;
  dependencies?: string[];
  propertyDependencies?: Record<string, string[]>;
  outputs?: Record<string, unknown>;
  [field: string]: unknown;
}

interface Deployment {
  resources?: StateResource[];
  pending_operations?: unknown[];
  secrets_providers?: unknown;
  [field: string]: unknown;
}

export class ReshardError extends Error {
  readonly code = "reshard_failed" as const;
}

export async function reshard(options: ReshardOptions): Promise<ReshardSummary> {
  const log = options.log ?? (() => {});
  const engine = await userEngine(options.env ?? process.env);
  const ws = await automation.LocalWorkspace.create({ workDir: options.projectDir, pulumiCommand: engine.command, envVars: engine.envVars });
  const project = (await ws.projectSettings()).name;

  const oldNames = allShards(options.from).map((s) => shardStackName(options.stackPrefix, s));
  const existing = new Set((await ws.listStacks()).map((s) => s.name));
  const missing = oldNames.filter((name) => !existing.has(name) && !existing.has(shortName(name)));
  if (missing.length > 0) {
    throw new ReshardError(
      `--from ${options.from}: stack${missing.length > 1 ? "s" : ""} ${missing.join(", ")} not found in this backend. ` +
        `Fix: give the shard count the fleet is deployed with now, and the same --stack-prefix and backend as \`fleet up\`.`,
    );
  }
  const sources = new Map<string, Deployment>();
  for (const name of oldNames) {
    const deployment = (await ws.exportStack(name)).deployment as Deployment;
    if ((deployment.pending_operations ?? []).length > 0) {
      throw new ReshardError(`stack ${name} has pending operations (an interrupted update): run \`pulumi refresh -s ${name}\` first, then reshard.`);
    }
    sources.set(name, deployment);
  }

  const summary: ReshardSummary = { from: options.from, to: options.to, devicesPerStack: {}, moved: 0, removedStacks: [] };
  for (const shard of allShards(options.to)) {
    const name = shardStackName(options.stackPrefix, shard);
    const stack = await automation.Stack.createOrSelect(name, ws);
    await stack.setConfig(SHARD_CONFIG_NAME, { value: formatShardSpec(shard) });
    const dest = (await ws.exportStack(name)).deployment as Deployment;
    const added = addDevices(dest, name, project, sources, (deviceId) => shardOfDevice(deviceId, shard.count) === shard.index);
    summary.devicesPerStack[name] = added;
    summary.moved += added;
    if (added > 0) await importDeployment(engine, options.projectDir, name, dest);
    log(`reshard: ${name} (shard ${formatShardSpec(shard)}) now holds ${added} moved device${added === 1 ? "" : "s"}`);
  }

  for (const name of oldNames) {
    await ws.removeStack(name, { force: true });
    summary.removedStacks.push(name);
    log(`reshard: removed the old stack ${name} (state only)`);
  }
  return summary;
}

/**
 * Adds to `dest` (the new stack's deployment) every device of the old deployments that `belongs`,
 * unless already there, with its URNs rewritten. Returns how many were added.
 */
function addDevices(dest: Deployment, destName: string, project: string, sources: Map<string, Deployment>, belongs: (deviceId: string) => boolean): number {
  const resources = (dest.resources ??= []);
  const destStack = shortName(destName);
  const present = new Set(resources.map((r) => r.urn));
  let added = 0;
  for (const [sourceName, source] of sources) {
    const devices = (source.resources ?? []).filter((r) => r.type === DEVICE_TYPE && belongs(deviceName(r.urn)));
    if (devices.length === 0) continue;
    const rewrite = urnRewriter(shortName(sourceName), destStack, project);
    const byUrn = new Map((source.resources ?? []).map((r) => [r.urn, r]));
    // The records a device hangs off (root stack, fleet component, provider) must exist first.
    const ensure = (urn: string | undefined): void => {
      if (urn === undefined || present.has(rewrite(urn))) return;
      const record = byUrn.get(urn);
      if (record === undefined) throw new ReshardError(`stack ${sourceName} is inconsistent: ${urn} is referenced but missing`);
      ensure(record.parent);
      const copy = rewriteResource(record, rewrite);
      // The old stack's outputs describe the old stack; the next `up` writes the new ones.
      if (record.type === ROOT_STACK_TYPE) copy.outputs = {};
      resources.push(copy);
      present.add(copy.urn);
    };
    for (const device of devices) {
      const copy = rewriteResource(device, rewrite);
      if (present.has(copy.urn)) continue;
      ensure(device.parent);
      if (device.provider !== undefined) {
        // Every old stack has its own default provider record (same URN, own ID): the new stack
        // keeps one, and every device it receives points at that one. Its inputs are the same.
        ensure(providerUrn(device.provider));
        const urn = rewrite(providerUrn(device.provider));
        const kept = resources.find((r) => r.urn === urn)!;
        copy.provider = `${urn}::${kept.id ?? ""}`;
      }
      resources.push(copy);
      present.add(copy.urn);
      added++;
    }
    dest.secrets_providers ??= source.secrets_providers;
    dest.manifest ??= source.manifest;
  }
  return added;
}

function deviceName(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

/** `urn::id` → `urn` (a provider reference). */
function providerUrn(reference: string): string {
  return reference.slice(0, reference.lastIndexOf("::"));
}

/**
 * Maps URNs of the old stack to the new one: the stack segment, and the root stack resource's name
 * (`<project>-<stack>`).
 */
function urnRewriter(from: string, to: string, project: string): (urn: string) => string {
  const prefix = `urn:pulumi:${from}::`;
  const oldRoot = `urn:pulumi:${from}::${project}::${ROOT_STACK_TYPE}::${project}-${from}`;
  const newRoot = `urn:pulumi:${to}::${project}::${ROOT_STACK_TYPE}::${project}-${to}`;
  return (urn) => {
    if (urn === oldRoot) return newRoot;
    if (!urn.startsWith(prefix)) throw new ReshardError(`unexpected URN ${urn} in stack ${from}`);
    return `urn:pulumi:${to}::${urn.slice(prefix.length)}`;
  };
}

function rewriteResource(resource: StateResource, rewrite: (urn: string) => string): StateResource {
  const copy: StateResource = { ...resource, urn: rewrite(resource.urn) };
  if (resource.parent !== undefined) copy.parent = rewrite(resource.parent);
  if (resource.provider !== undefined) {
    const urn = providerUrn(resource.provider);
    copy.provider = `${rewrite(urn)}${resource.provider.slice(urn.length)}`;
  }
  if (resource.dependencies !== undefined) copy.dependencies = resource.dependencies.map(rewrite);
  if (resource.propertyDependencies !== undefined) {
    copy.propertyDependencies = Object.fromEntries(Object.entries(resource.propertyDependencies).map(([k, v]) => [k, v.map(rewrite)]));
  }
  if (resource.type.startsWith(PROVIDER_TYPE_PREFIX) || resource.type === ROOT_STACK_TYPE) delete copy.aliases;
  return copy;
}

/** `pulumi stack import` reading the deployment from stdin: decrypted secrets never touch the disk. */
async function importDeployment(engine: Awaited<ReturnType<typeof userEngine>>, cwd: string, stack: string, deployment: Deployment): Promise<void> {
  const text = JSON.stringify({ version: 3, deployment });
  await new Promise<void>((resolve, reject) => {
    const child = spawn(engine.command.command, ["stack", "import", "--stack", stack, "--non-interactive"], {
      cwd,
      env: { ...engine.envVars },
      stdio: ["pipe", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new ReshardError(`pulumi stack import -s ${stack} failed (exit ${code}): ${stderr.trim()}`))));
    child.stdin.end(text);
  });
}
