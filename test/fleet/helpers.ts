import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { FleetDefinitionError } from "../../src/fleet";
import { SIGFOX_FLEET_TYPE } from "../../src/resources/sigfox-fleet";

const created: string[] = [];
// Registered while the importing test file is collected: runs after that file's tests.
afterAll(() => {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary folder holding `files` (name → content), removed after the test file. */
export function fixtureDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-test-"));
  created.push(dir);
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  return dir;
}

/** Runs `fn`, expects a FleetDefinitionError, returns it. */
export function expectFleetError(fn: () => unknown): FleetDefinitionError {
  try {
    fn();
  } catch (error) {
    if (error instanceof FleetDefinitionError) return error;
    throw error;
  }
  throw new Error("expected a FleetDefinitionError, but the definition loaded");
}

/** `text` with lines joined, so that line numbers in tests are easy to count. */
export const lines = (...rows: string[]): string => `${rows.join("\n")}\n`;

export const PAC1 = "0123456789ABCDEF";
export const PAC2 = "FEDCBA9876543210";
export const PAC3 = "1111222233334444";
export const GROUP = "3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
export const GROUP2 = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";

/** One resource a program registered under the runtime mocks. */
export interface RegisteredResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

/**
 * Pulumi's runtime mocks for the program and SigfoxFleet tests (no engine, no provider, no API):
 * every registered resource is recorded, as the provider would report it after create (its inputs
 * plus `status`). The record is emptied before each test (and by `clear()`), the stack config after it.
 */
export function useRuntimeMocks(project: string): { registered: RegisteredResource[]; devices(): RegisteredResource[]; clear(): void } {
  const registered: RegisteredResource[] = [];
  beforeAll(async () => {
    await pulumi.runtime.setMocks(
      {
        newResource(args) {
          registered.push({ type: args.type, name: args.name, inputs: args.inputs });
          return { id: `${args.name}-id`, state: { ...args.inputs, status: "ready" } };
        },
        call: () => ({}),
      },
      project,
      "dev",
    );
  });
  beforeEach(() => {
    registered.length = 0;
  });
  afterEach(() => {
    pulumi.runtime.setAllConfig({});
  });
  return {
    registered,
    devices: () => registered.filter((r) => r.type !== SIGFOX_FLEET_TYPE),
    clear: () => {
      registered.length = 0;
    },
  };
}
