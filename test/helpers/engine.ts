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


// -----------------------------------------------------------------------------------------------
// Steps: a Terraform-style acceptance harness. A step is data: the program it runs, the operation,
// what it must change and which API calls it may make. After every apply the harness proves an empty
// plan (a refreshing preview that expects no changes), so no step can leave drift or a diff behind.

/** What a step runs: `up` (apply), `plan` (a refreshing preview; changes nothing) or `destroy`. */
export type StepOperation = "up" | "plan" | "destroy";

export interface Step<Program> {
  name: string;
  /** The program for this step; handed to {@link StepHarness.setProgram}. Absent: the previous one. */
  program?: Program;
  /** Runs before the operation: out-of-band changes made behind the engine's back. */
  before?: () => Promise<unknown>;
  /** Default `up`. */
  operation?: StepOperation;
  /** `up --refresh` (read every resource from the API first). */
  refresh?: boolean;
  /** Resource changes of the operation, without `same` (e.g. `{ create: 1 }`); `{}` = nothing changed. */
  expectChanges: Record<string, number>;
  /** API calls of the operation (without `auth`), exactly. */
  expectCalls: Record<string, number>;
  /** More assertions after the operation (and its empty-plan check). */
  check?: () => Promise<unknown>;
}

export interface StepHarness<Program> {
  stack: TestStack;
  /** Makes the program the stack runs from now on. */
  setProgram(program: Program): void;
  /** Forgets the API calls counted so far. */
  resetCalls(): Promise<void>;
  /** API calls since the last reset, without `auth`. */
  apiCalls(): Promise<Record<string, number>>;
  /** The resource type whose absence `destroy` proves. */
  resourceType: string;
}

function withoutSame(changes: Record<string, number> | undefined): Record<string, number> {
  return Object.fromEntries(Object.entries(changes ?? {}).filter(([op, n]) => op !== "same" && n > 0));
}

/**
 * Runs one step and asserts it; throws an Error naming the step and what differed. After `up` it
 * proves the plan is empty (refreshing preview, `expectNoChanges`); after `destroy`, that no resource
 * of the type is left in the state.
 */
export async function runStep<Program>(h: StepHarness<Program>, step: Step<Program>): Promise<void> {
  const fail = (what: string, actual: unknown, expected: unknown): never => {
    throw new Error(`step "${step.name}": ${what} ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
  };
  const same = (a: unknown, b: unknown) => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
  if (step.program !== undefined) h.setProgram(step.program);
  await step.before?.();
  await h.resetCalls();
  const operation = step.operation ?? "up";
  let changes: Record<string, number>;
  if (operation === "up") changes = withoutSame((await h.stack.up({ refresh: step.refresh ?? false })).summary.resourceChanges);
  else if (operation === "plan") changes = withoutSame((await h.stack.preview({ refresh: true })).changeSummary);
  else changes = withoutSame((await h.stack.destroy()).summary.resourceChanges);
  if (!same(changes, step.expectChanges)) fail("changed", changes, step.expectChanges);
  const calls = await h.apiCalls();
  if (!same(calls, step.expectCalls)) fail("made the API calls", calls, step.expectCalls);

  if (operation === "up") {
    const plan = await h.stack.preview({ refresh: true, expectNoChanges: true });
    const left = withoutSame(plan.changeSummary);
    if (Object.keys(left).length > 0) fail("left a non-empty plan", left, {});
  } else if (operation === "destroy") {
    const state = JSON.parse(await h.stack.exportState()) as { resources?: Array<{ type: string; urn: string }> };
    const left = (state.resources ?? []).filter((r) => r.type === h.resourceType).map((r) => r.urn);
    if (left.length > 0) fail("left resources", left, []);
  }
  await step.check?.();
}

function sortKeys(v: unknown): unknown {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)));
}
