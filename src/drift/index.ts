/**
 * `soracom-sigfox drift` without the command line: read the expected state (stacks, a state file or
 * a fleet file), read the account in bulk, compare. The command (src/cli/commands/drift.ts) parses
 * flags and renders; tests and scripts can call `runDrift` directly.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { DeviceSelection } from "../selection";
import { readAccount, type AccountApi } from "./account";
import { compareDrift } from "./compare";
import { devicesOfStackExport, ExpectedStateError, type ExpectedDevice } from "./expected";
import { readFleetFile } from "./fleet";
import type { IgnoreRules } from "./ignore";
import type { DriftReport } from "./report";
import { readStacks } from "./stacks";

export { DriftReportSchema, hasDrift, type DriftReport } from "./report";
export { parseIgnoreRules, IgnoreRules, IgnoreRuleError, NO_IGNORE_RULES } from "./ignore";
export { ExpectedStateError, SIGFOX_DEVICE_TYPE, type ExpectedDevice } from "./expected";
export { renderReport, FORMATS, type Format } from "./render";

/** What the managed devices are compared against: exactly one source. */
export type ExpectedSource = { kind: "stacks"; stacks: string[] } | { kind: "fleet"; file: string } | { kind: "state-file"; file: string };

export interface DriftOptions {
  source: ExpectedSource;
  /** The Pulumi project directory; relative files are resolved against it. */
  cwd: string;
  env: NodeJS.ProcessEnv;
  api: AccountApi;
  scope: DeviceSelection;
  includeUnmanaged: boolean;
  ignore: IgnoreRules;
  warn: (message: string) => void;
  onListed?: (listed: number, pages: number) => void;
}

export async function readExpected(options: Pick<DriftOptions, "source" | "cwd" | "env" | "warn">): Promise<ExpectedDevice[]> {
  const { source, cwd, env, warn } = options;
  switch (source.kind) {
    case "stacks":
      return (await readStacks({ cwd, env, stacks: source.stacks, warn })).devices;
    case "fleet":
      return readFleetFile(source.file, { cwd, env });
    case "state-file": {
      let text: string;
      try {
        text = fs.readFileSync(path.resolve(cwd, source.file), "utf8");
      } catch (e) {
        throw new ExpectedStateError(
          `--state-file ${source.file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? "error"}). Fix: write it with \`pulumi stack export --file ${source.file}\`.`,
        );
      }
      return devicesOfStackExport(text, source.file, warn);
    }
  }
}

export async function runDrift(options: DriftOptions): Promise<DriftReport> {
  const started = performance.now();
  const expected = await readExpected(options);
  const account = await readAccount(
    options.api,
    options.scope,
    expected.map((d) => d.deviceId),
    options.onListed,
  );
  return compareDrift({
    expected,
    account,
    scope: options.scope,
    includeUnmanaged: options.includeUnmanaged,
    ignore: options.ignore,
    durationMs: performance.now() - started,
  });
}
