/** Builds the CLI into .tmp/ and runs `soracom-sigfox emulator` as a child process, for the crash tests. */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
// One output directory per test process: two test files build in parallel forks and must not write
// over each other's files while a child process loads them.
const OUT = path.join(ROOT, ".tmp/emulator-cli", String(process.pid));
let built = false;
const CLI = path.join(OUT, "cli/main.js");

/** Removes this process's build (call from afterAll: vitest's forks do not always get an exit event). */
export function removeCliBuild(): void {
  fs.rmSync(OUT, { recursive: true, force: true });
  built = false;
}

export function buildCli(): string {
  if (!built) {
    const started = Date.now();
    try {
      execFileSync(
        process.execPath,
        [path.join(ROOT, "node_modules/typescript/lib/tsc.js"), "-p", path.join(__dirname, "tsconfig.cli.json"), "--outDir", OUT, "--incremental", "false"],
        {
          cwd: ROOT,
          stdio: "pipe",
        },
      );
    } catch (err) {
      // tsc still emits on type errors (possibly in another folder's code the CLI imports later);
      // only a missing or stale output is fatal here. The type errors show up in the project's build.
      const fresh = fs.existsSync(CLI) && fs.statSync(CLI).mtimeMs >= started - 1000;
      if (!fresh) throw new Error(`building the CLI failed:\n${(err as { stdout?: Buffer }).stdout?.toString() ?? err}`);
    }
    built = true;
  }
  return CLI;
}

export interface CliEmulator {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `node main.js emulator ...args` and resolves once it prints where it listens. */
export function spawnEmulator(args: string[]): Promise<CliEmulator> {
  const child = spawn(process.execPath, [buildCli(), "emulator", ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`emulator did not start: ${out}${err}`)), 20_000);
    child.stderr!.on("data", (b: Buffer) => (err += b.toString()));
    child.stdout!.on("data", (b: Buffer) => {
      out += b.toString();
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m && out.includes("SORACOM_AUTH_KEY")) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!, stdout: () => out, exited });
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited with ${code} before listening: ${out}${err}`));
    });
  });
}
