/**
 * Automation API plumbing shared by the demo, the tests and the examples' runner: where the Pulumi
 * CLI is, the offline environment the engine needs on a machine that reaches only package
 * registries, and a stack on a local `file://` backend.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as automation from "@pulumi/pulumi/automation";

/** The directory holding `pulumi`, `pulumi-language-nodejs` and `pulumi-resource-pulumi-nodejs`. */
export function pulumiCliDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.PULUMI_CLI_DIR;
  if (!dir) {
    throw new Error(
      "PULUMI_CLI_DIR is not set: run through `bash scripts/run.sh <command>` (npm start / npm test do), " + "which provisions the Pulumi CLI and sets it.",
    );
  }
  if (!fs.existsSync(path.join(dir, "pulumi"))) {
    throw new Error(`PULUMI_CLI_DIR=${dir} has no pulumi executable: run \`bash scripts/pulumi-cli.sh\`.`);
  }
  return dir;
}

/** The pinned CLI as the Automation API wants it (`<root>/bin/pulumi`). */
export async function pulumiCommand(env: NodeJS.ProcessEnv = process.env): Promise<automation.PulumiCommand> {
  const binDir = pulumiCliDir(env);
  return automation.PulumiCommand.get({ root: path.dirname(binDir) });
}

/** The least GOMAXPROCS a Pulumi CLI we start gets (see `engineGoMaxProcs`). */
export const MIN_ENGINE_GOMAXPROCS = 16;

/**
 * GOMAXPROCS for the Pulumi CLI: at least 16. The CLI sizes its PostgreSQL backend's connection pool
 * at 2 x GOMAXPROCS; on a 2-core machine that is 4 connections, and `pulumi stack ls` with 4 stacks
 * in the backend deadlocks waiting for a fifth (measured with 3.260). More threads than cores costs
 * nothing measurable for the CLI. A larger value already set (or more cores) is kept.
 */
export function engineGoMaxProcs(env: NodeJS.ProcessEnv = process.env): number {
  const set = Number.parseInt(env.GOMAXPROCS ?? "", 10);
  return Math.max(MIN_ENGINE_GOMAXPROCS, os.availableParallelism(), Number.isFinite(set) ? set : 0);
}

/**
 * Environment for the engine and its plugins: no update check, no plugin downloads (there is no
 * network to download from, and a silent download would hide a missing plugin), the CLI directory
 * first on PATH so the engine finds the language host and the dynamic-provider plugin, and a
 * GOMAXPROCS that cannot deadlock the PostgreSQL backend.
 */
export function engineEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const binDir = pulumiCliDir(env);
  const nodeDir = path.dirname(process.execPath);
  return {
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    GOMAXPROCS: String(engineGoMaxProcs(env)),
    // The provider process must run on the same Node as we do (>= 22), not the machine's default.
    PATH: [binDir, nodeDir, env.PATH ?? ""].join(path.delimiter),
  };
}

/**
 * The Pulumi CLI and environment for a user's command (`soracom-sigfox fleet`): the provisioned CLI
 * when PULUMI_CLI_DIR is set (scripts/run.sh), else the `pulumi` on PATH with the user's own plugin
 * settings. Either way the CLI gets a safe GOMAXPROCS. The backend, PULUMI_HOME and passphrase are
 * the user's (their login, PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE): passed through from `env`.
 */
export async function userEngine(env: NodeJS.ProcessEnv = process.env): Promise<{ command: automation.PulumiCommand; envVars: Record<string, string> }> {
  const passed: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) passed[key] = value;
  if (env.PULUMI_CLI_DIR) {
    return { command: await pulumiCommand(env), envVars: { ...passed, ...engineEnv(env) } };
  }
  return {
    command: await automation.PulumiCommand.get(),
    envVars: { ...passed, PULUMI_SKIP_UPDATE_CHECK: "true", GOMAXPROCS: String(engineGoMaxProcs(env)) },
  };
}

export interface LocalStackOptions {
  /** Project name (Pulumi.yaml `name`). */
  projectName: string;
  stackName: string;
  /**
   * The project directory: for an inline program it becomes `projectSettings.main`, which is where
   * the dynamic-provider process starts and resolves `pulumi-soracom-sigfox/provider` from.
   */
  workDir: string;
  /** Inline program; without it the workspace runs the local program in `workDir` (its Pulumi.yaml). */
  program?: automation.PulumiFn;
  /** Directory of the `file://` backend (the state). Created if missing. */
  stateDir: string;
  /** Directory used as PULUMI_HOME (plugins, credentials, workspace files). Created if missing. */
  pulumiHome: string;
  /** Passphrase of the stack's secrets provider. */
  passphrase: string;
  /** Extra environment for the engine and the provider process (e.g. SORACOM_ENDPOINT). */
  env?: Record<string, string>;
  /** Stack configuration to set after the stack is selected. */
  config?: automation.ConfigMap;
}

function ensureDir(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Creates or selects a stack on a local `file://` backend with a passphrase secrets provider. */
export async function openLocalStack(options: LocalStackOptions): Promise<automation.Stack> {
  fs.mkdirSync(options.stateDir, { recursive: true });
  fs.mkdirSync(options.pulumiHome, { recursive: true });
  const envVars: Record<string, string> = {
    ...engineEnv(),
    PULUMI_CONFIG_PASSPHRASE: options.passphrase,
    PULUMI_BACKEND_URL: `file://${path.resolve(options.stateDir)}`,
    ...options.env,
  };
  const workspaceOptions: automation.LocalWorkspaceOptions = {
    pulumiCommand: await pulumiCommand(),
    pulumiHome: options.pulumiHome,
    envVars,
    secretsProvider: "passphrase",
  };
  let stack: automation.Stack;
  if (options.program) {
    stack = await automation.LocalWorkspace.createOrSelectStack(
      { projectName: options.projectName, stackName: options.stackName, program: options.program },
      {
        ...workspaceOptions,
        // The workspace writes Pulumi.yaml and Pulumi.<stack>.yaml into its workDir: keep that in our
        // own directory, never in the project directory (which may hold the user's Pulumi.yaml).
        workDir: ensureDir(path.join(options.pulumiHome, "workspace")),
        projectSettings: {
          name: options.projectName,
          runtime: "nodejs",
          main: options.workDir,
          backend: { url: envVars.PULUMI_BACKEND_URL },
        },
      },
    );
  } else {
    stack = await automation.LocalWorkspace.createOrSelectStack({ stackName: options.stackName, workDir: options.workDir }, workspaceOptions);
  }
  if (options.config && Object.keys(options.config).length > 0) {
    await stack.setAllConfig(options.config);
  }
  return stack;
}
