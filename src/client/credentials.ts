/**
 * Credential and endpoint resolution.
 *
 * Credentials, first match wins:
 * 1. `options.credentials` (explicit);
 * 2. `options.profile` (an explicitly named soracom-cli profile);
 * 3. `SORACOM_AUTH_KEY_ID` + `SORACOM_AUTH_KEY`, else a pre-issued `SORACOM_API_KEY` + `SORACOM_TOKEN`;
 * 4. the soracom-cli profile named by `SORACOM_PROFILE` (default `default`), read from
 *    `options.profileDir`, else `SORACOM_PROFILE_DIR`, else `~/.soracom`.
 *
 * Endpoint, first match wins: `options.endpoint` → `SORACOM_ENDPOINT` → the profile's `endpoint` →
 * the coverage type's origin (`options.coverageType` → `SORACOM_COVERAGE_TYPE` → the profile's
 * `coverageType` → `jp`).
 */
import { exec } from "node:child_process";
import { promises as fs, type Stats } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { z } from "zod";
import { configError } from "./errors";
import { endpointForCoverage, normalizeEndpoint, parseCoverageType, type CoverageType } from "./endpoint";
import { isNonEmpty } from "./non-empty";
import { registerSecret } from "./redact";

/** Auth key pair (recommended for programs). */
export interface AuthKeyCredentials {
  authKeyId: string;
  authKey: string;
}
/** Root user: email and password. */
export interface RootUserCredentials {
  email: string;
  password: string;
  mfaOTPCode?: string;
}
/** SAM user: operator ID, user name and password (`userName` on the wire). */
export interface SamUserCredentials {
  operatorId: string;
  userName: string;
  password: string;
  mfaOTPCode?: string;
}
/** A pre-issued API key and token (no `/auth` call; cannot be renewed on 401). */
export interface TokenCredentials {
  apiKey: string;
  token: string;
  /** Operator of the token, reported by `authenticate()` when known. */
  operatorId?: string;
}
/** Any of the four credential forms. */
export type Credentials = AuthKeyCredentials | RootUserCredentials | SamUserCredentials | TokenCredentials;

/** The kind of a credential, without any secret. */
export type CredentialKind = "authKey" | "rootUser" | "samUser" | "token";

/** Returns the kind of `c`. */
export function credentialKind(c: Credentials): CredentialKind {
  if ("apiKey" in c && "token" in c) return "token";
  if ("authKeyId" in c) return "authKey";
  if ("userName" in c) return "samUser";
  return "rootUser";
}

/** Every secret value in `c` (for redaction). */
export function credentialSecrets(c: Credentials): string[] {
  const out: string[] = [];
  if ("authKey" in c) out.push(c.authKey);
  if ("password" in c) out.push(c.password);
  if ("mfaOTPCode" in c && c.mfaOTPCode) out.push(c.mfaOTPCode);
  if ("apiKey" in c) out.push(c.apiKey, c.token);
  return out;
}

/** soracom-cli profile file (`~/.soracom/<name>.json`). Unknown fields are ignored. */
export const SoracomProfile = z.looseObject({
  coverageType: z.string().optional(),
  authKeyId: z.string().optional(),
  authKey: z.string().optional(),
  email: z.string().optional(),
  password: z.string().optional(),
  operatorId: z.string().optional(),
  /** Lower case in the file; sent as `userName`. */
  username: z.string().optional(),
  endpoint: z.string().optional(),
  sandbox: z.boolean().optional(),
  profileCommand: z.string().optional(),
  sourceProfile: z.string().optional(),
  tokenTimeoutSeconds: z.number().int().optional(),
  mfaOTPCode: z.string().optional(),
  headers: z.union([z.record(z.string(), z.string()), z.array(z.string())]).optional(),
});
export type SoracomProfile = z.infer<typeof SoracomProfile>;

/** Inputs of {@link resolveSettings}. */
export interface ResolveSettingsInput {
  endpoint?: string;
  coverageType?: CoverageType;
  credentials?: Credentials;
  profile?: string;
  profileDir?: string;
  tokenTimeoutSeconds?: number;
  env: Record<string, string | undefined>;
  /** Home directory for `~/.soracom` (default `os.homedir()`). */
  homeDir?: string;
  /** Time limit of a `profileCommand` (default 30 s). */
  profileCommandTimeoutMs?: number;
}

/** The outcome of resolution: what the client will use, and where each part came from. */
export interface ResolvedSettings {
  credentials: Credentials;
  /** Where the credentials came from, e.g. `options`, `env:SORACOM_AUTH_KEY_ID`, `profile:default (/home/u/.soracom/default.json)`. */
  credentialSource: string;
  /** API origin without `/v1`. */
  endpoint: string;
  tokenTimeoutSeconds?: number;
  /** Extra request headers from the profile's `headers`. */
  headers: Record<string, string>;
}

/** Validates explicit credentials (shape only, never echoing values). */
function checkExplicit(c: Credentials, source: string): Credentials {
  const kind = credentialKind(c);
  const fields: Record<CredentialKind, string[]> = {
    authKey: ["authKeyId", "authKey"],
    rootUser: ["email", "password"],
    samUser: ["operatorId", "userName", "password"],
    token: ["apiKey", "token"],
  };
  for (const f of fields[kind]) {
    if (!isNonEmpty((c as unknown as Record<string, string | undefined>)[f])) {
      throw configError(`Credentials from ${source} are incomplete: "${f}" is missing or empty`);
    }
  }
  return c;
}

/** Credentials from a profile, mapping `username` → `userName`. */
export function credentialsFromProfile(p: SoracomProfile, where: string): Credentials {
  if (isNonEmpty(p.authKeyId) || isNonEmpty(p.authKey)) {
    if (!isNonEmpty(p.authKeyId) || !isNonEmpty(p.authKey)) {
      throw configError(`Profile ${where} has only one of authKeyId/authKey`);
    }
    return { authKeyId: p.authKeyId, authKey: p.authKey };
  }
  if (isNonEmpty(p.username)) {
    if (!isNonEmpty(p.operatorId) || !isNonEmpty(p.password)) {
      throw configError(`Profile ${where} is a SAM user profile but lacks operatorId or password`);
    }
    return { operatorId: p.operatorId, userName: p.username, password: p.password, ...(isNonEmpty(p.mfaOTPCode) ? { mfaOTPCode: p.mfaOTPCode } : {}) };
  }
  if (isNonEmpty(p.email)) {
    if (!isNonEmpty(p.password)) throw configError(`Profile ${where} has an email but no password`);
    return { email: p.email, password: p.password, ...(isNonEmpty(p.mfaOTPCode) ? { mfaOTPCode: p.mfaOTPCode } : {}) };
  }
  if (isNonEmpty(p.sourceProfile)) {
    throw configError(`Profile ${where} uses sourceProfile (switch user), which this client does not support`);
  }
  throw configError(`Profile ${where} has no credentials (authKeyId/authKey, email/password, or operatorId/username/password)`);
}

function profileHeaders(p: SoracomProfile): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(p.headers)) {
    for (const h of p.headers) {
      const i = h.indexOf(":");
      if (i > 0) out[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
    }
  } else if (p.headers) {
    for (const [k, v] of Object.entries(p.headers)) out[k.toLowerCase()] = v;
  }
  return out;
}

/** Path of a profile file; profile names cannot contain path separators. */
export function profilePath(dir: string, name: string): string {
  if (!/^[A-Za-z0-9_.@+-]+$/.test(name) || name.startsWith(".")) {
    throw configError(`Invalid profile name ${JSON.stringify(name)}: letters, digits, "_", "-", "." only`);
  }
  return path.join(dir, `${name}.json`);
}

/**
 * Reads a soracom-cli profile file. Like soracom-cli, refuses a file readable or writable by group or
 * others (mode & 0o077) on non-Windows systems. Runs `profileCommand` when present and merges its
 * output (a profile JSON on stdout) over the file's fields.
 */
export async function loadProfile(
  file: string,
  opts: { env?: Record<string, string | undefined>; commandTimeoutMs?: number } = {},
): Promise<SoracomProfile | undefined> {
  let stat: Stats;
  try {
    stat = await fs.stat(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw configError(`Cannot read Soracom profile ${file}: ${(e as NodeJS.ErrnoException).code ?? "error"}`, e);
  }
  if (process.platform !== "win32" && (stat.mode & 0o077) !== 0) {
    const mode = (stat.mode & 0o777).toString(8).padStart(4, "0");
    throw configError(
      `Soracom profile ${file} is accessible by group or others (mode ${mode}); ` + `it holds credentials, so it is refused. Run: chmod 600 ${file}`,
    );
  }
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (e) {
    throw configError(`Cannot read Soracom profile ${file}: ${(e as NodeJS.ErrnoException).code ?? "error"}`, e);
  }
  const profile = parseProfileJson(text, `profile file ${file}`);
  if (isNonEmpty(profile.profileCommand)) {
    const output = await runProfileCommand(profile.profileCommand, file, opts);
    const fromCommand = parseProfileJson(output, `the output of profileCommand in ${file}`);
    if (isNonEmpty(fromCommand.profileCommand)) {
      throw configError(`The output of profileCommand in ${file} contains another profileCommand`);
    }
    const { profileCommand: _ignored, ...rest } = profile;
    return { ...rest, ...fromCommand };
  }
  return profile;
}

function parseProfileJson(text: string, what: string): SoracomProfile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // Never echo the text: it holds secrets.
    throw configError(`Cannot parse ${what}: not valid JSON`);
  }
  const parsed = SoracomProfile.safeParse(json);
  if (!parsed.success) {
    const paths = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw configError(`Invalid ${what}: ${paths}`);
  }
  for (const s of [parsed.data.authKey, parsed.data.password, parsed.data.mfaOTPCode]) registerSecret(s);
  return parsed.data;
}

function runProfileCommand(command: string, file: string, opts: { env?: Record<string, string | undefined>; commandTimeoutMs?: number }): Promise<string> {
  return new Promise((resolve, reject) => {
    exec(
      command,
      {
        env: { ...process.env, ...(opts.env ?? {}) },
        timeout: opts.commandTimeoutMs ?? 30_000,
        maxBuffer: 1024 * 1024,
        windowsHide: true,
      },
      (err, stdout) => {
        if (err) {
          // Neither stdout nor stderr is quoted: either may hold secrets.
          const how = err.killed ? "was killed (time limit?)" : `exited with code ${String(err.code ?? "unknown")}`;
          reject(configError(`profileCommand of Soracom profile ${file} ${how}`));
          return;
        }
        resolve(stdout);
      },
    );
  });
}

/** Resolves credentials, endpoint and token timeout; see the module comment for the order. */
export async function resolveSettings(input: ResolveSettingsInput): Promise<ResolvedSettings> {
  const env = input.env;
  let credentials: Credentials | undefined;
  let credentialSource = "";
  let profile: SoracomProfile | undefined;
  const tried: string[] = [];

  const profileDir = input.profileDir ?? (isNonEmpty(env.SORACOM_PROFILE_DIR) ? env.SORACOM_PROFILE_DIR : path.join(input.homeDir ?? os.homedir(), ".soracom"));
  const readProfile = async (name: string, explicit: string | undefined) => {
    const file = profilePath(profileDir, name);
    const p = await loadProfile(file, { env, ...(input.profileCommandTimeoutMs !== undefined ? { commandTimeoutMs: input.profileCommandTimeoutMs } : {}) });
    if (!p) {
      if (explicit) throw configError(`Soracom profile "${name}" (from ${explicit}) not found: ${file} does not exist`);
      tried.push(`profile "${name}" (${file} does not exist)`);
      return;
    }
    profile = p;
    credentials = credentialsFromProfile(p, file);
    credentialSource = `profile:${name} (${file})`;
  };

  if (input.credentials) {
    credentials = checkExplicit(input.credentials, "options.credentials");
    credentialSource = "options";
  } else if (isNonEmpty(input.profile)) {
    await readProfile(input.profile, "options.profile");
  } else {
    tried.push("options.credentials", "options.profile");
    const keyId = env.SORACOM_AUTH_KEY_ID,
      key = env.SORACOM_AUTH_KEY;
    const apiKey = env.SORACOM_API_KEY,
      token = env.SORACOM_TOKEN;
    if (isNonEmpty(keyId) || isNonEmpty(key)) {
      if (!isNonEmpty(keyId) || !isNonEmpty(key)) {
        throw configError("Only one of SORACOM_AUTH_KEY_ID and SORACOM_AUTH_KEY is set: set both");
      }
      credentials = { authKeyId: keyId, authKey: key };
      credentialSource = "env:SORACOM_AUTH_KEY_ID";
    } else if (isNonEmpty(apiKey) || isNonEmpty(token)) {
      if (!isNonEmpty(apiKey) || !isNonEmpty(token)) {
        throw configError("Only one of SORACOM_API_KEY and SORACOM_TOKEN is set: set both");
      }
      credentials = { apiKey, token, ...(isNonEmpty(env.SORACOM_OPERATOR_ID) ? { operatorId: env.SORACOM_OPERATOR_ID } : {}) };
      credentialSource = "env:SORACOM_API_KEY";
    } else {
      tried.push("SORACOM_AUTH_KEY_ID/SORACOM_AUTH_KEY", "SORACOM_API_KEY/SORACOM_TOKEN");
      const name = isNonEmpty(env.SORACOM_PROFILE) ? env.SORACOM_PROFILE : "default";
      await readProfile(name, isNonEmpty(env.SORACOM_PROFILE) ? "SORACOM_PROFILE" : undefined);
    }
  }
  if (!credentials) {
    throw configError(`No Soracom credentials found; tried: ${tried.join(", ")}`);
  }
  for (const s of credentialSecrets(credentials)) registerSecret(s);

  const p = profile as SoracomProfile | undefined;
  let endpoint: string;
  if (isNonEmpty(input.endpoint)) endpoint = normalizeEndpoint(input.endpoint, "options.endpoint");
  else if (isNonEmpty(env.SORACOM_ENDPOINT)) endpoint = normalizeEndpoint(env.SORACOM_ENDPOINT, "SORACOM_ENDPOINT");
  else if (p && isNonEmpty(p.endpoint)) endpoint = normalizeEndpoint(p.endpoint, `the profile's endpoint`);
  else {
    const coverage =
      parseCoverageType(input.coverageType, "options.coverageType") ??
      parseCoverageType(env.SORACOM_COVERAGE_TYPE, "SORACOM_COVERAGE_TYPE") ??
      parseCoverageType(p?.coverageType, "the profile's coverageType");
    endpoint = endpointForCoverage(coverage, p?.sandbox === true);
  }
  const tokenTimeoutSeconds = input.tokenTimeoutSeconds ?? p?.tokenTimeoutSeconds;
  return {
    credentials,
    credentialSource,
    endpoint,
    ...(tokenTimeoutSeconds !== undefined ? { tokenTimeoutSeconds } : {}),
    headers: p ? profileHeaders(p) : {},
  };
}
