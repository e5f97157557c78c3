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
import { findCheckpoint } from "../../bench/src/state-watch";
import type { RunningEmulator } from "../../src/emulator";
import { openLocalStack } from "../../src/engine/workspace";
import { apiCallsWithoutAuth, SIGFOX_DEVICE_TYPE } from "./common";

export const repoRoot = path.resolve(__dirname, "..", "..");

/** `require` that resolves like a user's program in the repository root (through node_modules). */
export const requireDist = createRequire(path.join(repoRoot, "package.json"));

/** Devices a device program declares: name → `SigfoxDevice` args (or a function of the devices declared before it). */
export type DeviceSpec = Record<string, Record<string, unknown> | ((declared: Record<string, { status: unknown; id: unknown }>) => Record<string, unknown>)>;

/**
 * The SigfoxDevice program of the engine tests (test/provider/fixtures/device-program.js), built from
 * the compiled package: at every run it declares `spec.devices`, so a test changes the program by
 * changing that. Fails (never skips) when the package is not built.
 */
export function deviceProgram(spec: { devices: DeviceSpec }): automation.PulumiFn {
  const dist = path.join(repoRoot, "dist", "resources", "sigfox-device.js");
  if (!fs.existsSync(dist)) throw new Error(`${dist} is missing: run \`tsc -p tsconfig.build.json\` before the engine tests`);
  const { makeProgram } = requireDist(path.join(repoRoot, "test/provider/fixtures/device-program.js")) as {
    makeProgram: (s: { devices: DeviceSpec }) => automation.PulumiFn;
  };
  return makeProgram(spec);
}

/** The package's default program (`fleetProgram`, compiled) deploying `fleetFile`, with no environment of its own. */
export function fleetFileProgram(fleetFile: string): automation.PulumiFn {
  const { fleetProgram } = requireDist(path.join(repoRoot, "dist/program/fleet-program.js")) as {
    fleetProgram: (options: { fleetFile: string; env: Record<string, string> }) => Record<string, unknown>;
  };
  return async () => fleetProgram({ fleetFile, env: {} });
}

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
  /** The stack's checkpoint file in the `file://` backend. */
  checkpointFile(): string;
  /** The texts of the checkpoints the backend keeps in the stack's update history, oldest first. */
  historyCheckpoints(): Promise<string[]>;
  /** Per-resource step events of the last operations, newest last. */
  stepEvents(): automation.ResourcePreEvent[];
  cleanup(): Promise<void>;
}

export async function createTestStack(options: TestStackOptions): Promise<TestStack> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sigfox-engine-"));
  const stateDir = path.join(tmp, "state");
  const stackName = options.stackName ?? "test";
  // A local program's workspace writes the stack's settings (encryption salt) next to its Pulumi.yaml;
  // cleanup removes them (test stacks' settings are never committed: .gitignore examples/*/Pulumi.ci-*.yaml).
  const settingsFile = options.program ? undefined : stackSettingsFile(options.workDir ?? repoRoot, stackName);
  const output: string[] = [];
  const events: automation.EngineEvent[] = [];
  const stack = await openLocalStack({
    projectName: options.projectName ?? "sigfox-test",
    stackName,
    workDir: options.workDir ?? repoRoot,
    program: options.program,
    stateDir,
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
    persistedText: () => [readTree(tmp), ...(settingsFile && fs.existsSync(settingsFile) ? [fs.readFileSync(settingsFile, "latin1")] : [])].join("\n"),
    checkpointFile: () => {
      const file = findCheckpoint(stateDir, stackName);
      if (!file) throw new Error(`no checkpoint of stack ${stackName} under ${stateDir}`);
      return file;
    },
    historyCheckpoints: async () => {
      const dir = historyDir(stateDir, (await stack.workspace.projectSettings()).name, stackName);
      return fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".checkpoint.json"))
        .sort()
        .map((f) => fs.readFileSync(path.join(dir, f), "utf8"));
    },
    stepEvents: () => events.flatMap((e) => (e.resourcePreEvent ? [e.resourcePreEvent] : [])),
    cleanup: async () => {
      fs.rmSync(tmp, { recursive: true, force: true });
      if (settingsFile) fs.rmSync(settingsFile, { force: true });
    },
  };
}

// -----------------------------------------------------------------------------------------------
// The layout of the `file://` backend and of a project's workspace files: tests know it only through
// these functions (the checkpoint's name is found by bench/src/state-watch.ts, which watches it).

/** `Pulumi.<stack>.yaml`: the stack settings a local program's workspace keeps next to Pulumi.yaml. */
export function stackSettingsFile(projectDir: string, stack: string): string {
  return path.join(projectDir, `Pulumi.${stack}.yaml`);
}

/** Where the backend keeps a stack's update history (each update's `<time>.checkpoint.json`). */
function historyDir(stateDir: string, project: string, stack: string): string {
  return path.join(stateDir, ".pulumi", "history", project, stack);
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

/** The lock files of the stacks of a `file://` backend directory (a running or killed update holds one). */
export function backendLockFiles(stateDir: string): string[] {
  return filesUnder(path.join(stateDir, ".pulumi", "locks"));
}

/**
 * Removes the torn metadata sidecars of a `file://` backend directory and returns their paths. The
 * checkpoint itself is written atomically (temp file + rename), but the backend's blob library
 * (gocloud fileblob) keeps each file's metadata in a `<file>.attrs` sidecar that it truncates and
 * rewrites in place: a kill in between leaves it empty, and reading the stack then fails ("failed to
 * load checkpoint: EOF"). A missing sidecar is fine (the library falls back to defaults), so the
 * repair is to delete the torn one (README, "Recovering from an interrupted `pulumi up`", step 0).
 */
export function removeTornBlobAttributes(stateDir: string): string[] {
  const torn = filesUnder(path.join(stateDir, ".pulumi")).filter((f) => {
    if (!f.endsWith(".attrs")) return false;
    try {
      JSON.parse(fs.readFileSync(f, "utf8"));
      return false;
    } catch {
      return true;
    }
  });
  for (const f of torn) fs.rmSync(f);
  return torn;
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

/**
 * What a step runs. Applies: `up`, `destroy`, `refresh` (writes what the API says into the state;
 * the program is not applied, so the next plan may well show changes). Plans change nothing: `plan`
 * (`preview --refresh`), `preview` (no API call: the state as stored) and `previewRefresh` (`refresh
 * --preview-only`: what a refresh would write).
 */
export type StepOperation = "up" | "destroy" | "refresh" | "plan" | "preview" | "previewRefresh";

type EngineResult = automation.UpResult | automation.PreviewResult | automation.RefreshResult | automation.DestroyResult;

/** What the operation of a step did, for its `check`. */
export interface StepOutcome {
  /** The engine's result; absent when the operation failed as the step expected. */
  result?: EngineResult;
  /** The error of an operation that failed as expected. */
  error?: Error;
  /** What the engine printed during the operation (not during the harness's own checks after it). */
  output: string;
  /** The engine events of the operation. */
  events: automation.EngineEvent[];
  /** The API requests of the operation in order, without `auth` (when the harness has `apiRequests`). */
  requests?: string[];
}

interface StepBase<Program> {
  name: string;
  /** The program for this step; handed to {@link StepHarness.setProgram}. Absent: the previous one. */
  program?: Program;
  /** Runs before the operation: out-of-band changes made behind the engine's back. */
  before?: () => Promise<unknown>;
  /** Default `up`. */
  operation?: StepOperation;
  /** `up --refresh` (read every resource from the API first). */
  refresh?: boolean;
  /** The API requests of the operation, in order (as {@link StepHarness.apiRequests} writes them). */
  expectRequests?: string[];
  /** More assertions on what the operation did, after the harness's own checks (and its empty-plan check). */
  check?: (outcome: StepOutcome) => Promise<unknown> | unknown;
}

/**
 * A step either succeeds with the resource changes it states (without `same`, e.g. `{ create: 1 }`;
 * `{}` = nothing changed; with a `same` key the unchanged resources are counted too) and exactly the
 * API calls it states (without `auth`), or fails with an error whose text (message, CLI stderr and
 * the engine's output) matches every pattern of `expectError`. A failed step states its calls too,
 * unless retries make them depend on timing (then its `check` reads `requests`). A failed step
 * proves no plan: it is there to leave the stack unfinished.
 */
export type Step<Program> = StepBase<Program> &
  (
    | { expectChanges: Record<string, number>; expectCalls: Record<string, number>; expectError?: undefined }
    | { expectError: RegExp | RegExp[]; expectCalls?: Record<string, number>; expectChanges?: undefined }
  );

/**
 * The step harness of a device-program stack (see {@link deviceProgram}): a step's program is the
 * devices it declares; calls and requests are what `emu` answered.
 */
export function deviceSteps(stack: TestStack, spec: { devices: DeviceSpec }, emu: Pick<RunningEmulator, "control">): StepHarness<DeviceSpec> {
  return {
    stack,
    setProgram: (devices) => {
      spec.devices = devices;
    },
    resetCalls: () => emu.control.clearRequests(),
    apiCalls: () => apiCallsWithoutAuth(emu),
    apiRequests: async () => (await emu.control.requests()).filter((r) => r.operation !== "auth").map((r) => `${r.method} ${r.path}`),
    resourceType: SIGFOX_DEVICE_TYPE,
  };
}

export interface StepHarness<Program> {
  stack: TestStack;
  /** Makes the program the stack runs from now on. */
  setProgram(program: Program): void;
  /** Forgets the API calls counted so far. */
  resetCalls(): Promise<void>;
  /** API calls since the last reset, without `auth`. */
  apiCalls(): Promise<Record<string, number>>;
  /** API requests since the last reset, in order, without `auth` (e.g. `POST /v1/sigfox_devices/1A/register`). */
  apiRequests?(): Promise<string[]>;
  /** The resource type whose absence `destroy` proves. */
  resourceType: string;
}

function changesOf(changes: Record<string, number> | undefined, countSame: boolean): Record<string, number> {
  return Object.fromEntries(Object.entries(changes ?? {}).filter(([op, n]) => (countSame || op !== "same") && n > 0));
}

/** Message, CLI stderr and the engine's output of a failed operation: where the provider's error text is. */
function failureText(error: unknown, output: string): string {
  const e = error as { message?: unknown; stderr?: unknown };
  return [String(e?.message ?? error), String(e?.stderr ?? ""), output].join("\n");
}

async function runOperation(
  h: StepHarness<unknown>,
  step: Step<unknown>,
  operation: StepOperation,
): Promise<{ result: EngineResult; changes?: Record<string, number> }> {
  const stack = h.stack;
  // A plan expected to change nothing also asks the engine to fail on any change.
  const expectNoChanges = step.expectChanges !== undefined && Object.keys(changesOf(step.expectChanges, false)).length === 0;
  switch (operation) {
    case "up": {
      const r = await stack.up({ refresh: step.refresh ?? false });
      return { result: r, changes: r.summary.resourceChanges };
    }
    case "destroy": {
      const r = await stack.destroy();
      return { result: r, changes: r.summary.resourceChanges };
    }
    case "refresh": {
      const r = await stack.refresh();
      return { result: r, changes: r.summary.resourceChanges };
    }
    case "plan": {
      const r = await stack.preview({ refresh: true, expectNoChanges });
      return { result: r, changes: r.changeSummary };
    }
    case "preview": {
      const r = await stack.preview({ expectNoChanges });
      return { result: r, changes: r.changeSummary };
    }
    case "previewRefresh": {
      const r = await stack.previewRefresh({ expectNoChanges });
      return { result: r, changes: r.changeSummary };
    }
  }
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
  const outputMark = h.stack.output.length;
  const eventMark = h.stack.events.length;
  const outcome: StepOutcome = { output: "", events: [] };
  const ran = await runOperation(h as StepHarness<unknown>, step as Step<unknown>, operation).then(
    (r) => r,
    (error: unknown) => {
      outcome.error = error instanceof Error ? error : new Error(String(error));
      return undefined;
    },
  );
  outcome.output = h.stack.output.slice(outputMark).join("");
  outcome.events = h.stack.events.slice(eventMark);
  if (step.expectError !== undefined) {
    if (!outcome.error) fail("succeeded with the changes", ran?.changes, `an error matching ${String(step.expectError)}`);
    const text = failureText(outcome.error, outcome.output);
    for (const pattern of [step.expectError].flat())
      if (!pattern.test(text)) fail("failed with", outcome.error!.message, `an error matching ${String(pattern)}`);
  } else {
    if (outcome.error) throw new Error(`step "${step.name}": ${operation} failed: ${outcome.error.message}`, { cause: outcome.error });
    outcome.result = ran!.result;
    const changes = changesOf(ran!.changes, "same" in step.expectChanges);
    if (!same(changes, step.expectChanges)) fail("changed", changes, step.expectChanges);
  }
  const calls = await h.apiCalls();
  if (step.expectCalls !== undefined && !same(calls, step.expectCalls)) fail("made the API calls", calls, step.expectCalls);
  if (h.apiRequests) outcome.requests = await h.apiRequests();
  if (step.expectRequests !== undefined && !same(outcome.requests, step.expectRequests)) fail("made the API requests", outcome.requests, step.expectRequests);

  if (operation === "up" && !outcome.error) {
    const plan = await h.stack.preview({ refresh: true, expectNoChanges: true });
    const left = changesOf(plan.changeSummary, false);
    if (Object.keys(left).length > 0) fail("left a non-empty plan", left, {});
  } else if (operation === "destroy" && !outcome.error) {
    const state = JSON.parse(await h.stack.exportState()) as { resources?: Array<{ type: string; urn: string }> };
    const left = (state.resources ?? []).filter((r) => r.type === h.resourceType).map((r) => r.urn);
    if (left.length > 0) fail("left resources", left, []);
  }
  await step.check?.(outcome);
}

/** Runs `steps` in order (one test made of several operations). */
export async function runSteps<Program>(h: StepHarness<Program>, steps: readonly Step<Program>[]): Promise<void> {
  for (const step of steps) await runStep(h, step);
}

function sortKeys(v: unknown): unknown {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)));
}
