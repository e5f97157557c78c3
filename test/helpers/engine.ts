/**
 * Engine harness for tests: runs a Pulumi program through the Automation API against a `file://`
 * backend in a temp dir, with a passphrase secrets provider, an isolated PULUMI_HOME and the offline
 * settings, collects the engine's output and events, and cleans up.
 *
 * Programs must build resources from the COMPILED package (`requireDist`), never from sources
 * transformed by vitest: the closure serializer needs real module identity.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createRequire } from "node:module";
import type * as automation from "@pulumi/pulumi/automation";
import { openLocalStack } from "../../src/engine/workspace";

export const repoRoot = path.resolve(__dirname, "..", "..");

/** `require` that resolves like a user's program in the repository root (through node_modules). */
export const requireDist = createRequire(path.join(repoRoot, "package.json"));

export interface TestStackOptions {
  program?: automation.PulumiFn;
  /** Project directory for a local program (its own Pulumi.yaml); defaults to the repo root for inline programs. */
  workDir?: string;
  projectName?: string;
  stackName?: string;
  env?: Record<string, string>;
  config?: automation.ConfigMap;
}

export interface TestStack {
  stack: automation.Stack;
  /** Everything the engine printed, across all operations. */
  output: string[];
  /** Every engine event, across all operations. */
  events: automation.EngineEvent[];
  up(opts?: automation.UpOptions): Promise<automation.UpResult>;
  preview(opts?: automation.PreviewOptions): Promise<automation.PreviewResult>;
  previewRefresh(opts?: automation.RefreshOptions): Promise<automation.PreviewResult>;
  refresh(opts?: automation.RefreshOptions): Promise<automation.RefreshResult>;
  destroy(opts?: automation.DestroyOptions): Promise<automation.DestroyResult>;
  /**
   * The stack's checkpoint as the engine exports it (JSON text). NOTE: the Automation API exports
   * with `--show-secrets`, so secrets are in plain text here; use `persistedText()` to check what is
   * really written to disk.
   */
  exportState(): Promise<string>;
  /** Every file the backend and the workspace wrote (checkpoints, backups, history, settings), as text. */
  persistedText(): string;
  /** Per-resource step events of the last operations, newest last. */
  stepEvents(): automation.ResourcePreEvent[];
  cleanup(): Promise<void>;
}

export async function createTestStack(options: TestStackOptions): Promise<TestStack> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sigfox-engine-"));
  const output: string[] = [];
  const events: automation.EngineEvent[] = [];
  const stack = await openLocalStack({
    projectName: options.projectName ?? "sigfox-test",
    stackName: options.stackName ?? "test",
    workDir: options.workDir ?? repoRoot,
    program: options.program,
    stateDir: path.join(tmp, "state"),
    pulumiHome: path.join(tmp, "home"),
    passphrase: "correct horse battery staple",
    env: options.env,
    config: options.config,
  });
  const collect = {
    onOutput: (text: string) => output.push(text),
    onEvent: (event: automation.EngineEvent) => events.push(event),
  };
  return {
    stack,
    output,
    events,
    up: (opts) => stack.up({ ...collect, ...opts }),
    preview: (opts) => stack.preview({ ...collect, ...opts }),
    previewRefresh: (opts) => stack.previewRefresh({ ...collect, ...opts }),
    refresh: (opts) => stack.refresh({ ...collect, ...opts }),
    destroy: (opts) => stack.destroy({ ...collect, ...opts }),
    exportState: async () => JSON.stringify((await stack.exportStack()).deployment),
    persistedText: () => readTree(tmp),
    stepEvents: () => events.flatMap((e) => (e.resourcePreEvent ? [e.resourcePreEvent] : [])),
    cleanup: async () => {
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}

function readTree(root: string): string {
  const texts: string[] = [];
  const walk = (p: string): void => {
    const stat = fs.lstatSync(p);
    if (stat.isDirectory()) for (const entry of fs.readdirSync(p)) walk(path.join(p, entry));
    else if (stat.isFile()) texts.push(fs.readFileSync(p, "latin1"));
  };
  walk(root);
  return texts.join("\n");
}

/** Stack configuration that points the provider at an emulator (the auth key as a secret, as users set it). */
export function emulatorStackConfig(emu: { url: string; credentials: { authKeyId: string; authKey: string } }): automation.ConfigMap {
  return {
    "soracom:endpoint": { value: emu.url },
    "soracom:authKeyId": { value: emu.credentials.authKeyId },
    "soracom:authKey": { value: emu.credentials.authKey, secret: true },
  };
}
