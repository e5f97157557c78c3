/**
 * Sharded-fleet tests: a real fleet project on disk (the default program through the language
 * host, as `pulumi up` would run it), a real PostgreSQL backend from scripts/postgres.sh, and the
 * `fleet` command with captured output.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "vitest";
import { fleet } from "../../src/cli/commands/fleet";
import { startEmulator, type RunningEmulator } from "../../src/emulator";
import { emulatorClientEnv } from "../helpers/common";
import { repoRoot } from "../helpers/engine";

export const PASSPHRASE = "correct horse battery staple";

export interface Device {
  deviceId: string;
  pac: string;
}

/** `count` device IDs with PACs: consecutive hex IDs from `base`, PACs derived from the ID. */
export function devices(count: number, base = 0x5a000000): Device[] {
  return Array.from({ length: count }, (_, i) => {
    const deviceId = (base + i).toString(16).toUpperCase();
    return { deviceId, pac: `AC${deviceId}${"0".repeat(6)}`.slice(0, 16) };
  });
}

export interface ShardProject {
  dir: string;
  /** Its fleet.yaml: give it to the program as SORACOM_FLEET_FILE (the default is the repository's sample). */
  fleetFile: string;
  /** Rewrites fleet.yaml and pacs.csv with these devices. */
  writeFleet(list: { deviceId: string; pac: string }[]): void;
  cleanup(): void;
}

/**
 * A Pulumi project running the package's default program (`fleetProgram()`) on `fleet.yaml`. It
 * lives under the repository's .tmp so that `require("pulumi-soracom-sigfox")` resolves through the
 * repository's node_modules, from the program and from the dynamic-provider process alike.
 */
export function shardProject(name: string): ShardProject {
  fs.mkdirSync(path.join(repoRoot, ".tmp"), { recursive: true });
  const dir = fs.mkdtempSync(path.join(repoRoot, ".tmp", `${name}-`));
  fs.writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    [`name: ${name}`, "runtime:", "  name: nodejs", "  options:", "    typescript: false", "main: index.js", ""].join("\n"),
  );
  fs.writeFileSync(
    path.join(dir, "index.js"),
    [
      '"use strict";',
      'const { fleetProgram } = require("pulumi-soracom-sigfox");',
      "const outputs = fleetProgram();",
      "exports.deviceCount = outputs.deviceCount;",
      "exports.shard = outputs.shard;",
      "",
    ].join("\n"),
  );
  return {
    dir,
    fleetFile: path.join(dir, "fleet.yaml"),
    writeFleet(list) {
      fs.writeFileSync(path.join(dir, "pacs.csv"), ["device_id,pac", ...list.map((d) => `${d.deviceId},${d.pac}`), ""].join("\n"));
      fs.writeFileSync(
        path.join(dir, "fleet.yaml"),
        ["defaults:", "  tags: {fleet: sharded}", "pacsCsv: pacs.csv", "devices:", ...list.map((d) => `  - deviceId: "${d.deviceId}"`), ""].join("\n"),
      );
    },
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** A fresh database on the project's PostgreSQL server (scripts/postgres.sh), and its backend URL. */
export function postgresBackend(database: string): { url: string; drop(): void } {
  const script = path.join(repoRoot, "scripts", "postgres.sh");
  const url = execFileSync("bash", [script, database], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
  if (!url.startsWith("postgres://")) throw new Error(`scripts/postgres.sh printed ${JSON.stringify(url)}, not a postgres:// URL`);
  return { url, drop: () => execFileSync("bash", [script, "--drop", database], { stdio: ["ignore", "ignore", "inherit"] }) };
}

/** A fresh PULUMI_HOME (workspace files, credentials) in a temp dir. */
export function pulumiHome(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "shards-home-"));
}

export interface FleetRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `soracom-sigfox fleet <args>` in-process with this environment added to ours. */
export async function runFleet(args: string[], env: Record<string, string>, cwd = repoRoot): Promise<FleetRun> {
  let stdout = "";
  let stderr = "";
  const code = await fleet(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: { ...process.env, ...env },
    cwd,
  });
  return { code, stdout, stderr };
}

/** The environment of a `fleet` run: this backend, a passphrase, the project's fleet file, the emulator. */
export function fleetEnv(emu: RunningEmulator, project: ShardProject, backendUrl: string, home: string): Record<string, string> {
  return {
    PULUMI_BACKEND_URL: backendUrl,
    PULUMI_HOME: home,
    PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
    SORACOM_FLEET_FILE: project.fleetFile,
    ...emulatorClientEnv(emu),
  };
}

/**
 * Runs `soracom-sigfox fleet <args>` (args with `--format json`), expects exit `code` (the output
 * is the failure message) and returns the run with its parsed JSON summary.
 */
export async function runFleetJson<Summary>(args: string[], env: Record<string, string>, cwd: string, code = 0): Promise<{ run: FleetRun; summary: Summary }> {
  const run = await runFleet(args, env, cwd);
  expect(run.code, run.stdout + run.stderr).toBe(code);
  return { run, summary: JSON.parse(run.stdout) as Summary };
}

/** A shard project deployed by `fleet` to a fresh `file://` backend and PULUMI_HOME, against its own emulator. */
export interface FileBackendShards {
  emu: RunningEmulator;
  project: ShardProject;
  /** The environment of a `fleet` run (see {@link fleetEnv}). */
  env: Record<string, string>;
  /** Every file of the backend and the project's Pulumi.* files (stack settings), as text: for secrets checks. */
  persistedText(): string;
  close(): Promise<void>;
}

/** Opens {@link FileBackendShards}: an emulator seeded with `seed`, a project whose fleet file lists `fleetDevices`. */
export async function openFileBackendShards(name: string, seed: Device[], fleetDevices: Device[] = seed): Promise<FileBackendShards> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-state-`));
  const home = pulumiHome();
  const emu = await startEmulator({ seed: { devices: seed, groups: [] } });
  const project = shardProject(name);
  project.writeFleet(fleetDevices);
  return {
    emu,
    project,
    env: fleetEnv(emu, project, `file://${stateDir}`, home),
    persistedText: () => {
      const texts = (fs.readdirSync(stateDir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
        .filter((e) => e.isFile())
        .map((e) => fs.readFileSync(path.join(e.parentPath, e.name), "latin1"));
      for (const f of fs.readdirSync(project.dir)) if (f.startsWith("Pulumi.")) texts.push(fs.readFileSync(path.join(project.dir, f), "utf8"));
      return texts.join("\n");
    },
    close: async () => {
      await emu.close();
      project.cleanup();
      for (const dir of [stateDir, home]) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
