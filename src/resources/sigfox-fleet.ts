/**
 * `SigfoxFleet`: a fleet definition (file or object, see docs/fleet.md) as a component resource
 * whose children are one `SigfoxDevice` per device.
 *
 * - The definition is loaded and validated synchronously in the constructor, **before** anything
 *   is registered: a bad file throws a `FleetDefinitionError` listing every problem, and no
 *   resource exists, so no API call can happen.
 * - Each child is named by its canonical device ID (see `deviceResourceName`): reordering the file,
 *   adding or removing devices, or renaming the fleet leaves every other device's URN unchanged.
 *   Editing one device's entry changes that device only.
 * - PACs are wrapped with `pulumi.secret` whatever their source; adopt-only devices get none.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  FleetDefinitionError,
  formatIssue,
  inShard,
  loadFleetDefinition,
  parseShardSpec,
  SHARD_CONFIG_KEY,
  SHARD_CONFIG_NAMESPACE,
  type FleetDevice,
  type FleetFile,
  type LoadedFleet,
  type PacConfig,
  type PacEnv,
  type ShardSpec,
} from "../fleet";
import { SigfoxDevice } from "./sigfox-device";

export interface SigfoxFleetArgs {
  /** Path of a fleet file (YAML or JSON; relative to the working directory, `~` allowed), or the definition as an object. */
  definition: string | FleetFile;
  /** Folder that relative CSV paths of an object definition are resolved against. Default: the working directory. */
  baseDir?: string;
  /** Environment for `SORACOM_PAC_<id>` and `pacFrom.env`. Default: `process.env`. */
  env?: PacEnv;
  /**
   * Config for the `pacs` object, `pac-<id>` keys and `pacFrom.config`. Default: the stack's Pulumi
   * config in the namespace `configNamespace`.
   */
  config?: PacConfig;
  /** Namespace of the default config. Default: the project's name. */
  configNamespace?: string;
  /**
   * Deploy only this shard of the fleet (`{index, count}` or `"2/4"`; see src/fleet/shard.ts: a
   * device's shard is a function of its ID). Absent: the stack config `fleet:shard` if set, else
   * every device; `null`: every device whatever the config. The whole definition is still loaded
   * and validated.
   */
  shard?: ShardSpec | string | null;
  /** Options given to every device (e.g. `protect`, `retainOnDelete`, `ignoreChanges`). `parent` is always the fleet. */
  deviceOptions?: Omit<pulumi.CustomResourceOptions, "parent">;
}

/** What the fleet reports per device. */
export interface FleetDeviceSummary {
  status: string;
  /** `null`: in no group. */
  groupId: string | null;
  tags: Record<string, string>;
  terminationEnabled: boolean;
}

export const SIGFOX_FLEET_TYPE = "soracom:index:SigfoxFleet";

export class SigfoxFleet extends pulumi.ComponentResource {
  /** Per-device summary, keyed by device ID as written in the definition. */
  readonly devices: pulumi.Output<Record<string, FleetDeviceSummary>>;
  /** The device IDs this fleet deploys (those of its shard, if any), in definition order. */
  readonly deviceIds: string[];
  /** The child resources, keyed by device ID as written in the definition. */
  readonly deviceResources: Record<string, SigfoxDevice>;
  /** The loaded definition (PACs stay redacted in it). */
  readonly definition: LoadedFleet;
  /** The shard this fleet deploys; undefined = every device. */
  readonly shard: ShardSpec | undefined;

  constructor(name: string, args: SigfoxFleetArgs, opts?: pulumi.ComponentResourceOptions) {
    // Load before `super`: an invalid definition must stop the program before anything is registered.
    const definition = loadDefinition(args);
    const shard = resolveShard(args.shard);
    super(SIGFOX_FLEET_TYPE, name, {}, opts);
    this.definition = definition;
    this.shard = shard;
    for (const warning of definition.warnings) void pulumi.log.warn(formatIssue(warning), this);

    const devices = shard === undefined ? definition.devices : definition.devices.filter((d) => inShard(d.deviceId, shard));
    this.deviceIds = devices.map((d) => d.deviceId);
    this.deviceResources = {};
    for (const device of devices) {
      this.deviceResources[device.deviceId] = new SigfoxDevice(device.resourceName, deviceArgs(device), {
        ...args.deviceOptions,
        parent: this,
      });
    }

    this.devices = fleetSummary(this.deviceResources);
    this.registerOutputs({ devices: this.devices });
  }
}

/**
 * The per-device summary as ONE output over every device's outputs. Why not one `pulumi.all(...).apply`
 * per device: each output the SDK builds costs promises, closures and resolvers in the program process
 * for the whole run; at 10,000 devices, per-device summaries were a third of the fleet's memory
 * (docs/benchmarks.md, "Program memory").
 */
function fleetSummary(resources: Record<string, SigfoxDevice>): pulumi.Output<Record<string, FleetDeviceSummary>> {
  const entries = Object.entries(resources);
  // One flat list: `pulumi.all` would turn nested lists into one more output each.
  const fields = entries.flatMap(([, r]) => [r.status, r.groupId, r.tags, r.terminationEnabled] as pulumi.Output<unknown>[]);
  return pulumi.all(fields).apply((values) => {
    const summary: Record<string, FleetDeviceSummary> = {};
    entries.forEach(([deviceId], i) => {
      const [status, groupId, tags, terminationEnabled] = values.slice(4 * i, 4 * i + 4) as unknown as [
        string | undefined,
        string | undefined,
        Record<string, string> | undefined,
        boolean | undefined,
      ];
      summary[deviceId] = {
        status: status ?? "unknown",
        groupId: groupId ?? null,
        tags: tags ?? {},
        terminationEnabled: terminationEnabled ?? false,
      };
    });
    return summary;
  });
}

function deviceArgs(device: FleetDevice): ConstructorParameters<typeof SigfoxDevice>[1] {
  return {
    deviceId: device.deviceId,
    // Adopt-only: no PAC at all (the provider then adopts the device or fails; it never registers it).
    ...(device.adoptOnly ? {} : { registrationSecret: pulumi.secret(device.pac.reveal()) }),
    tags: device.tags,
    ...(device.groupId !== undefined ? { groupId: device.groupId } : {}),
    ...(device.terminationEnabled !== undefined ? { terminationEnabled: device.terminationEnabled } : {}),
    ...(device.deleteImmediately !== undefined ? { deleteImmediately: device.deleteImmediately } : {}),
    ...(device.productCertificationId !== undefined ? { productCertificationId: device.productCertificationId } : {}),
  };
}

/**
 * The shard to deploy: the argument, else the stack config `fleet:shard`, else none.
 * @throws ShardSpecError naming the key and the fix (shown by Pulumi as the message alone).
 */
export function resolveShard(value: SigfoxFleetArgs["shard"]): ShardSpec | undefined {
  if (value === null) return undefined;
  if (typeof value === "object") return value;
  const text = (value ?? new pulumi.Config(SHARD_CONFIG_NAMESPACE).get(SHARD_CONFIG_KEY))?.trim();
  if (text === undefined || text === "") return undefined;
  try {
    return parseShardSpec(text);
  } catch (error) {
    Object.defineProperty(error, "__pulumiRunError", { value: true });
    throw error;
  }
}

function loadDefinition(args: SigfoxFleetArgs): LoadedFleet {
  const namespace = args.configNamespace;
  const config: PacConfig = args.config ?? {
    get: (key: string) => new pulumi.Config(namespace).get(key),
  };
  try {
    return loadFleetDefinition(args.definition, {
      config,
      ...(args.env !== undefined ? { env: args.env } : {}),
      ...(args.baseDir !== undefined ? { baseDir: args.baseDir } : {}),
    });
  } catch (error) {
    if (error instanceof FleetDefinitionError) {
      // Pulumi prints a RunError's message alone, without a stack trace: the message is the report.
      // (`pulumi.RunError.isInstance` checks this marker.)
      Object.defineProperty(error, "__pulumiRunError", { value: true });
    }
    throw error;
  }
}
