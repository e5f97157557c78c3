/**
 * The default program: deploy one fleet file and export a per-device summary.
 *
 * `dist/program/index.js` (the `main` of the root `Pulumi.yaml`) calls `fleetProgram()`; the demo
 * and tests run the same program inline with the Automation API:
 *
 *     LocalWorkspace.createOrSelectStack({stackName, projectName, program: async () => fleetProgram({fleetFile})}, ...)
 *
 * Which file: `options.fleetFile`, else the stack config `fleet:file`, else the environment
 * variable `SORACOM_FLEET_FILE`, else `fleet.yaml` at the repository root. A relative path is
 * resolved against `options.baseDir`, default the Pulumi project folder: the nearest folder at or
 * above the working directory holding a `Pulumi.yaml` (the CLI runs the program in the folder of
 * `main`, `dist/program/`, not in the project folder). Credentials and endpoint are the provider's business (`SORACOM_*`, `soracom:*`
 * config): pointed at real credentials, this manages a real fleet.
 *
 * Which devices: all of them, or with the stack config `fleet:shard: "i/K"` only shard i of K (one
 * stack per shard, see `SigfoxFleetArgs.shard` and README "Large fleets").
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { nonEmpty } from "../client";
import { displayPath, formatShardSpec, resolveUserPath, type FleetFile, type PacConfig, type PacEnv, type ShardSpec } from "../fleet";
import { SAMPLE_FLEET_FILE } from "../package-paths";
import { SigfoxFleet, type FleetDeviceSummary } from "../resources/sigfox-fleet";

export const FLEET_FILE_ENV = "SORACOM_FLEET_FILE";
export const FLEET_FILE_CONFIG_NAMESPACE = "fleet";
export const FLEET_FILE_CONFIG_KEY = "file";

export interface FleetProgramOptions {
  /** The fleet file to deploy. Overrides config `fleet:file` and `SORACOM_FLEET_FILE`. */
  fleetFile?: string;
  /** A definition object instead of a file (its CSV paths are relative to `baseDir`). */
  definition?: FleetFile;
  /** Folder for relative paths. Default: the Pulumi project folder (see `projectDir`). */
  baseDir?: string;
  /** Name of the `SigfoxFleet` component. Default `fleet`. Device resource names do not depend on it. */
  name?: string;
  /** Environment for the file path and PAC look-ups. Default: `process.env`. */
  env?: PacEnv;
  /** Config for PAC look-ups. Default: the stack's config in the project namespace. */
  config?: PacConfig;
  /** Deploy only this shard (`"2/4"` or parsed; see `SigfoxFleetArgs.shard`). Absent: config `fleet:shard`, else every device. */
  shard?: string | ShardSpec;
}

export interface FleetProgramOutputs {
  /** The deployed fleet file, relative to `baseDir` when below it; undefined for an object definition. */
  fleetFile: string | undefined;
  /** Devices this stack deploys (its shard's, when sharded). */
  deviceCount: number;
  /** `"2/4"` when the stack deploys one shard, else undefined. */
  shard: string | undefined;
  devices: pulumi.Output<Record<string, FleetDeviceSummary>>;
}

/**
 * The Pulumi project folder: the nearest folder at or above `from` that holds a `Pulumi.yaml` (or
 * `Pulumi.yml`), else `from` itself.
 */
export function projectDir(from: string = process.cwd()): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml")) || fs.existsSync(path.join(dir, "Pulumi.yml"))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from);
  }
}

/** The fleet file the program deploys (absolute), following the precedence above. */
export function resolveFleetFile(options: Pick<FleetProgramOptions, "fleetFile" | "baseDir" | "env"> = {}): string {
  const env = options.env ?? process.env;
  const baseDir = options.baseDir ?? projectDir();
  // A path typed into config or the environment: spaces around it are dropped.
  const given = (value: string | undefined) => nonEmpty(value, { trim: true });
  const chosen = given(options.fleetFile) ?? given(new pulumi.Config(FLEET_FILE_CONFIG_NAMESPACE).get(FLEET_FILE_CONFIG_KEY)) ?? given(env[FLEET_FILE_ENV]);
  return chosen !== undefined ? resolveUserPath(chosen, baseDir, env.HOME ?? os.homedir()) : SAMPLE_FLEET_FILE;
}

/** Declares the fleet; call it inside a Pulumi program. Returns the stack outputs. */
export function fleetProgram(options: FleetProgramOptions = {}): FleetProgramOutputs {
  const baseDir = path.resolve(options.baseDir ?? projectDir());
  const file = options.definition === undefined ? resolveFleetFile({ ...options, baseDir }) : undefined;
  const fleet = new SigfoxFleet(options.name ?? "fleet", {
    definition: options.definition ?? (file as string),
    baseDir,
    ...(options.env !== undefined ? { env: options.env } : {}),
    ...(options.config !== undefined ? { config: options.config } : {}),
    ...(options.shard !== undefined ? { shard: options.shard } : {}),
  });
  return {
    fleetFile: file !== undefined ? displayPath(file, baseDir) : undefined,
    deviceCount: fleet.deviceIds.length,
    shard: fleet.shard !== undefined ? formatShardSpec(fleet.shard) : undefined,
    devices: fleet.devices,
  };
}
