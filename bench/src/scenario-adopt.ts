/**
 * Scenario "adopt": bring N existing devices under management through the real engine, against the
 * emulator, two ways in the same run:
 *
 * - `import, adopt-only`: `soracom-sigfox import` (the real command, a child process) writes the
 *   fleet (no PACs), `pulumi up` adopts every device through the provider's device directory,
 *   `preview --refresh` finds nothing;
 * - `with PACs (baseline)`: the same devices declared with their PACs, the way adoption worked before
 *   adopt-only devices: `create` tries `register`, gets a conflict, then looks the device up.
 *
 * Records seconds and API calls by kind per step and checks the promises: the adopt-only `up` makes
 * no write call and at most `min(N, ceil(A/100)) + 20` read calls.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { emulatorClientEnv } from "#src/emulator/index";
import { PACKAGE_ROOT } from "#src/package-paths";
import type { FleetFile } from "#src/fleet/index";
import { benchDevices, ownedSeed, type BenchDevice } from "./fixture";
import { FleetStack, type StepResult } from "./harness";

const READ_OPERATIONS = ["getSigfoxDevice", "listSigfoxDevices"];

export interface AdoptVariantResult {
  variant: string;
  steps: StepResult[];
}

export interface AdoptRunResult {
  devices: number;
  /** Devices in the account (= devices: the whole account is adopted). */
  account: number;
  /** `min(N, ceil(A/100)) + 20`. */
  readBound: number;
  variants: AdoptVariantResult[];
  violations: string[];
}

export const readCalls = (calls: Record<string, number>): number => READ_OPERATIONS.reduce((n, op) => n + (calls[op] ?? 0), 0);
export const writeCalls = (calls: Record<string, number>): number =>
  Object.entries(calls).reduce((n, [op, c]) => (op === "auth" || READ_OPERATIONS.includes(op) ? n : n + c), 0);

/** The devices declared with their PACs and exactly their seeded state (see `ownedSeed`). */
function withPacs(devices: BenchDevice[]): FleetFile {
  return {
    version: 1,
    defaults: { tags: { rev: "1" } },
    devices: devices.map((d, i) => ({ deviceId: d.deviceId, pac: d.pac, tags: { site: `site-${i % 10}` } })),
  };
}

/** The adoption variants, by name (`--adopt-variants`). */
export const ADOPT_VARIANTS = { import: "import, adopt-only", pacs: "with PACs (baseline)" } as const;

export interface AdoptScenarioOptions {
  /** Which variants to run (default both). */
  variants?: ReadonlyArray<keyof typeof ADOPT_VARIANTS>;
  /** Extra engine environment, e.g. the lean checkpoint knobs for 10,000 devices (`--adopt-lean`). */
  engineEnv?: Record<string, string>;
}

export async function runAdoptScenario(n: number, workRoot: string, log: (s: string) => void, options: AdoptScenarioOptions = {}): Promise<AdoptRunResult> {
  const devices = benchDevices(n, "A");
  const readBound = Math.min(n, Math.ceil(n / 100)) + 20;
  const result: AdoptRunResult = { devices: n, account: n, readBound, variants: [], violations: [] };
  const expect = (cond: boolean, what: string): void => {
    if (!cond) result.violations.push(what);
  };

  const variants = (options.variants ?? ["import", "pacs"]).map((v) => ADOPT_VARIANTS[v]);
  for (const variant of variants) {
    const stack = await FleetStack.open(
      { label: `adopt-${n}`, devices: [], workRoot, ...(options.engineEnv ? { engineEnv: options.engineEnv } : {}) },
      { devices: [] },
    );
    const steps: StepResult[] = [];
    const record = (r: StepResult): StepResult => {
      steps.push(r);
      log(
        `  adopt N=${n} ${variant} ${r.step}: ${r.seconds.toFixed(1)} s, ${readCalls(r.calls)} reads, ${writeCalls(r.calls)} writes ${JSON.stringify(r.calls)}, load ${r.load1}`,
      );
      return r;
    };
    try {
      await stack.emulator.control.seed(ownedSeed(devices, stack.emulator.credentials.operatorId));
      if (variant === "with PACs (baseline)") {
        stack.definition = withPacs(devices);
      } else {
        const output = path.join(stack.dir, "fleet.yaml");
        const env = emulatorClientEnv(stack.emulator, stack.proxy.url);
        const imported = record(
          // Asynchronous: the emulator answering the command runs in this process.
          await stack.step(
            "import",
            () =>
              promisify(execFile)(process.execPath, [path.join(PACKAGE_ROOT, "bin", "soracom-sigfox.js"), "import", "--output", output], {
                env: { ...process.env, ...env },
                cwd: stack.dir,
              }),
            false,
          ),
        );
        expect(
          imported.calls.listSigfoxDevices === Math.ceil(n / 100) && imported.apiCalls === Math.ceil(n / 100),
          `import: ${JSON.stringify(imported.calls)}, expected ${Math.ceil(n / 100)} list calls`,
        );
        stack.definition = parse(fs.readFileSync(output, "utf8")) as FleetFile;
      }
      const up = record(await stack.step("up (adopt)", (s) => s.up()));
      expect(up.changes?.create === n + 2, `${variant} up: ${JSON.stringify(up.changes)}, expected ${n + 2} creates`);
      if (variant === "import, adopt-only") {
        expect(writeCalls(up.calls) === 0, `${variant} up: ${writeCalls(up.calls)} write calls, expected 0`);
        expect(readCalls(up.calls) <= readBound, `${variant} up: ${readCalls(up.calls)} read calls, expected at most ${readBound}`);
      }
      const refresh = record(await stack.step("preview --refresh", (s) => s.preview({ refresh: true, expectNoChanges: true }), false));
      expect(writeCalls(refresh.calls) === 0, `${variant} preview --refresh: ${writeCalls(refresh.calls)} write calls`);
      // The engine refresh alone (issue 11's figure: 10,000 GETs before the device directory).
      const refreshOnly = record(await stack.step("refresh --preview-only", (s) => s.previewRefresh({ expectNoChanges: true }), false));
      expect(
        readCalls(refreshOnly.calls) <= readBound,
        `${variant} refresh --preview-only: ${readCalls(refreshOnly.calls)} read calls, expected at most ${readBound}`,
      );
    } finally {
      result.variants.push({ variant, steps });
      await stack.close(process.env.BENCH_KEEP === "1");
    }
  }
  return result;
}
