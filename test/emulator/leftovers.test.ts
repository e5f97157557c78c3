/** Crash leftovers: temporary state files of a killed run are removed at start, and the log says how many (never what). */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startEmulator } from "../../src/emulator";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sigfox-emu-leftovers-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("temporary state files left by a killed emulator", () => {
  it("are removed at start, the count is logged without content, and other files are left alone", async () => {
    const stateFile = path.join(dir, "state.json");
    const first = await startEmulator({ stateFile, seed: { devices: [{ deviceId: "1A2B", pac: "0123456789ABCDEF" }] }, log: () => {} });
    await first.close();
    const secretCopy = fs.readFileSync(stateFile, "utf8");
    // What a kill between "write temp file" and "rename" leaves: full copies of the state.
    const leftovers = [".state.json.4242.1.tmp", ".state.json.4242.17.tmp"];
    for (const name of leftovers) fs.writeFileSync(path.join(dir, name), secretCopy);
    // Not ours: must survive.
    const unrelated = [".other.json.4242.1.tmp", "state.json.bak", ".state.json.tmp"];
    for (const name of unrelated) fs.writeFileSync(path.join(dir, name), "keep");

    const lines: string[] = [];
    const second = await startEmulator({ stateFile, log: (line) => lines.push(line) });
    try {
      expect(second.removedTempFiles).toBe(2);
      for (const name of leftovers) expect(fs.existsSync(path.join(dir, name))).toBe(false);
      for (const name of unrelated) expect(fs.existsSync(path.join(dir, name))).toBe(true);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain("removed 2 temporary state file(s)");
      expect(lines[0]).not.toContain("0123456789ABCDEF");
      expect(lines[0]).not.toContain("4242");
      // The state itself is intact.
      expect((await second.control.state()).devices.map((d) => d.deviceId)).toEqual(["1A2B"]);
    } finally {
      await second.close();
    }

    const third = await startEmulator({ stateFile, log: (line) => lines.push(line) });
    await third.close();
    expect(third.removedTempFiles).toBe(0);
    expect(lines).toHaveLength(1);
  });
});
