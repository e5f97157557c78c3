/**
 * Expected state from Pulumi stacks, through the Pulumi CLI only: `pulumi stack ls --json` to find
 * the selected stack or expand a glob, `pulumi stack export --stack NAME` to read each state. The
 * CLI talks to whatever backend the user is logged in to (file, S3, PostgreSQL, Pulumi Cloud), so
 * this works with all of them. Never `--show-secrets`, never the Automation API's `exportStack`
 * (which decrypts): drift needs no passphrase and never sees a secret in clear.
 */
import { spawn } from "node:child_process";
import { devicesOfStackExport, ExpectedStateError, type ExpectedDevice } from "./expected";

export interface PulumiStacksOptions {
  /** The Pulumi project directory (holds Pulumi.yaml). */
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Stack names or globs (`prod-*`); empty: the project's selected stack. */
  stacks: string[];
  warn: (message: string) => void;
}

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The environment of the CLI: the caller's, plus the engine's offline settings and the provisioned
 * CLI first on PATH when running inside this repository's scripts (PULUMI_CLI_DIR); elsewhere the
 * `pulumi` on PATH. Loaded lazily: the engine module pulls in the Automation API (2 s of start-up
 * on a busy machine) and drift needs only its environment.
 */
async function cliEnv(env: NodeJS.ProcessEnv): Promise<NodeJS.ProcessEnv> {
  if (!env.PULUMI_CLI_DIR) return { PULUMI_SKIP_UPDATE_CHECK: "true", ...env };
  const { engineEnv } = await import("../engine/workspace.js");
  return { ...env, ...engineEnv(env) };
}

async function runPulumi(args: string[], options: PulumiStacksOptions): Promise<CliResult> {
  const env = await cliEnv(options.env);
  return new Promise((resolve, reject) => {
    const child = spawn("pulumi", [...args, "--non-interactive"], { cwd: options.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", (e: NodeJS.ErrnoException) =>
      reject(
        new ExpectedStateError(
          e.code === "ENOENT"
            ? "the Pulumi CLI (`pulumi`) is not on PATH. Fix: install it (https://www.pulumi.com/docs/install/), or compare with a fleet file (--fleet FILE) or an exported state (--state-file FILE)."
            : `cannot run pulumi: ${e.message}`,
        ),
      ),
    );
    child.on("close", (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }));
  });
}

/** A backend URL fit to print: no user, password or query (a PostgreSQL or S3 URL may carry credentials). */
export function displayBackend(url: string): string {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    u.search = "";
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, "//").replace(/\?.*$/, "");
  }
}

/** Names the backend in an error, best effort (one more CLI call, only when something failed). */
async function backendOf(options: PulumiStacksOptions): Promise<string> {
  const r = await runPulumi(["whoami", "--verbose", "--json"], options).catch(() => undefined);
  if (r?.code !== 0) return "the backend you are logged in to (none? run `pulumi login`)";
  try {
    const url = (JSON.parse(r.stdout) as { url?: string }).url;
    return url ? `backend ${displayBackend(url)}` : "the current backend";
  } catch {
    return "the current backend";
  }
}

/** The CLI's own error, shortened; it names the stack or project and never holds a secret (no --show-secrets). */
function cliError(r: CliResult): string {
  const text = r.stderr.trim() || r.stdout.trim();
  return text.split("\n").slice(-5).join(" ").replace(/\s+/g, " ").slice(0, 600);
}

async function fail(what: string, r: CliResult, fix: string, options: PulumiStacksOptions): Promise<never> {
  throw new ExpectedStateError(`${what} failed in ${options.cwd} (${await backendOf(options)}): ${cliError(r)}. Fix: ${fix}`);
}

const isGlob = (s: string): boolean => /[*?[]/.test(s);

/** `prod-*` → /^prod-.*$/ (`*` any run, `?` one character). */
export function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`);
}

interface StackSummary {
  name: string;
  current?: boolean;
}

async function listStacks(options: PulumiStacksOptions): Promise<StackSummary[]> {
  const r = await runPulumi(["stack", "ls", "--json"], options);
  if (r.code !== 0) {
    await fail(
      "`pulumi stack ls`",
      r,
      "run drift in the Pulumi project's directory (--cwd DIR, the one with Pulumi.yaml) and log in to its backend (`pulumi login ...`).",
      options,
    );
  }
  try {
    return JSON.parse(r.stdout) as StackSummary[];
  } catch {
    throw new ExpectedStateError(`\`pulumi stack ls --json\` printed something that is not JSON in ${options.cwd}.`);
  }
}

/** The stack names the options designate (globs expanded against the project's stacks), in order, each once. */
export async function resolveStackNames(options: PulumiStacksOptions): Promise<string[]> {
  if (options.stacks.length === 0) {
    const current = (await listStacks(options)).find((s) => s.current === true);
    if (!current) {
      throw new ExpectedStateError(
        `no stack is selected for the Pulumi project in ${options.cwd}. Fix: pass --stack NAME, or run \`pulumi stack select NAME\` there.`,
      );
    }
    return [current.name];
  }
  let all: StackSummary[] | undefined;
  const names: string[] = [];
  for (const pattern of options.stacks) {
    if (!isGlob(pattern)) {
      names.push(pattern);
      continue;
    }
    all ??= await listStacks(options);
    const re = globToRegExp(pattern);
    const matched = all.filter((s) => re.test(s.name) || re.test(s.name.split("/").pop() ?? "")).map((s) => s.name);
    if (matched.length === 0) {
      throw new ExpectedStateError(
        `--stack ${pattern} matches none of the stacks of the project in ${options.cwd} (${await backendOf(options)}): ${all.map((s) => s.name).join(", ") || "it has none"}. Fix: check the pattern, or --cwd.`,
      );
    }
    names.push(...matched);
  }
  return [...new Set(names)];
}

/** Every managed device of the designated stacks. */
export async function readStacks(options: PulumiStacksOptions): Promise<{ stacks: string[]; devices: ExpectedDevice[] }> {
  const stacks = await resolveStackNames(options);
  const devices: ExpectedDevice[] = [];
  for (const stack of stacks) {
    const r = await runPulumi(["stack", "export", "--stack", stack], options);
    if (r.code !== 0) {
      await fail(
        `\`pulumi stack export --stack ${stack}\``,
        r,
        `check the stack name (\`pulumi stack ls\` in ${options.cwd}) and that you are logged in to its backend (\`pulumi login ...\`).`,
        options,
      );
    }
    devices.push(...devicesOfStackExport(r.stdout, stack, options.warn));
  }
  return { stacks, devices };
}
