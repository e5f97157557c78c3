import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll } from "vitest";
import { FleetDefinitionError } from "../../src/fleet";

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
