/**
 * Sharded-fleet tests: a real fleet project on disk (the default program through the language
 * host, as `pulumi up` would run it), a real PostgreSQL backend from scripts/postgres.sh, and the
 * `fleet` command with captured output.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fleet } from "../../src/cli/commands/fleet";
import type { RunningEmulator } from "../../src/emulator";
import { repoRoot } from "../helpers/engine";

export const PASSPHRASE = "correct horse battery staple";
export const DEVICE_TYPE = "pulumi-nodejs:dynamic/soracom:SigfoxDevice";

/** `count` device IDs with PACs: consecutive hex IDs from `base`, PACs derived from the ID. */
export function devices(count: number, base = 0x5a000000): { deviceId: string; pac: string }[] {
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
    SORACOM_ENDPOINT: emu.url,
    SORACOM_AUTH_KEY_ID: emu.credentials.authKeyId,
    SORACOM_AUTH_KEY: emu.credentials.authKey,
  };
}

/** The emulator's API call counts, without `/auth`. */
export async function apiCalls(emu: RunningEmulator): Promise<Record<string, number>> {
  const calls = { ...(await emu.control.calls()) } as Record<string, number>;
  delete calls.auth;
  return calls;
}
