/**
 * Automation API plumbing shared by the demo, the tests and the examples' runner: where the Pulumi
 * CLI is, the offline environment the engine needs on a machine that reaches only package
 * registries, and a stack on a local `file://` backend.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as automation from "@pulumi/pulumi/automation";

/** The directory holding `pulumi`, `pulumi-language-nodejs` and `pulumi-resource-pulumi-nodejs`. */
export function pulumiCliDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.PULUMI_CLI_DIR;
  if (!dir) {
    throw new Error(
      "PULUMI_CLI_DIR is not set: run through `bash scripts/run.sh <command>` (npm start / npm test do), " +
        "which provisions the Pulumi CLI and sets it.",
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

/**
 * Environment for the engine and its plugins: no update check, no plugin downloads (there is no
 * network to download from, and a silent download would hide a missing plugin), and the CLI
 * directory first on PATH so the engine finds the language host and the dynamic-provider plugin.
 */
export function engineEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const binDir = pulumiCliDir(env);
  const nodeDir = path.dirname(process.execPath);
  return {
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    // The provider process must run on the same Node as we do (>= 22), not the machine's default.
    PATH: [binDir, nodeDir, env.PATH ?? ""].join(path.delimiter),
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
    stack = await automation.LocalWorkspace.createOrSelectStack(
      { stackName: options.stackName, workDir: options.workDir },
      workspaceOptions,
    );
  }
  if (options.config && Object.keys(options.config).length > 0) {
    await stack.setAllConfig(options.config);
  }
  return stack;
}
