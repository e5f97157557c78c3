/**
 * Redaction of secrets (API keys, tokens, auth keys, passwords, PACs) from every string the client
 * emits: error messages, request summaries, debug log lines.
 *
 * Two layers, because neither alone is enough:
 * - a registry of the exact secret values this process has handled (credentials it resolved, token
 *   pairs it received, PACs it sent), so a server message echoing a value is still scrubbed;
 * - patterns for secret-looking fields (`"authKey":"…"`, `x-soracom-token: …`, JWTs, `secret-…`),
 *   for values the registry has never seen.
 */

/** Replacement text for a redacted value. */
export const REDACTED = "[REDACTED]";

/** Field and header names whose values are secrets, compared case-insensitively. */
export const SECRET_FIELD_NAMES = [
  "apiKey",
  "api_key",
  "token",
  "authKey",
  "auth_key",
  "password",
  "registrationSecret",
  "pac",
  "mfaOTPCode",
  "x-soracom-api-key",
  "x-soracom-token",
  "authorization",
] as const;

const SECRET_FIELDS = new Set(SECRET_FIELD_NAMES.map((n) => n.toLowerCase()));

// Bounded so a long-lived process re-authenticating for days does not grow without limit.
const MAX_REGISTERED = 2048;
const registered = new Set<string>();

/**
 * Remembers a secret value so that {@link redact} removes it wherever it appears later.
 * Values shorter than 4 characters are ignored (redacting them would mangle ordinary text).
 */
export function registerSecret(value: string | undefined | null): void {
  if (typeof value !== "string" || value.length < 4) return;
  if (registered.has(value)) return;
  if (registered.size >= MAX_REGISTERED) {
    const oldest = registered.values().next().value;
    if (oldest !== undefined) registered.delete(oldest);
  }
  registered.add(value);
}

const fieldNames = SECRET_FIELD_NAMES.map((n) => n.replace(/[-]/g, "\\-")).join("|");
const PATTERNS: Array<[RegExp, string]> = [
  // JSON: "authKey":"value" / 'authKey': 'value'
  [new RegExp(`(["']?(?:${fieldNames})["']?\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, "gi"), `$1"${REDACTED}"`],
  // headers and query strings: x-soracom-token: value / authKey=value
  [new RegExp(`\\b((?:${fieldNames})\\s*[:=]\\s*)(?!"|\\[REDACTED\\])[^\\s,;&"'}]+`, "gi"), `$1${REDACTED}`],
  // JWTs (Soracom API tokens are JWTs)
  [/eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, REDACTED],
  // Soracom auth keys look like `secret-…`
  [/\bsecret-[A-Za-z0-9_-]{4,}/g, REDACTED],
];

/**
 * Returns `text` with every known secret value and every secret-looking field value replaced by
 * `[REDACTED]`. `extraSecrets` adds values to remove in this call only.
 */
export function redact(text: string, extraSecrets?: Iterable<string | undefined>): string {
  let out = redactValues(text, extraSecrets ? [...registered, ...extraSecrets] : registered);
  for (const [re, replacement] of PATTERNS) out = out.replace(re, replacement);
  return out;
}

/**
 * Returns `text` with every occurrence of the given values (4 characters or more) replaced by
 * `[REDACTED]`, and nothing else: no registry, no patterns. `ignoreCase` for hex secrets such as PACs,
 * which a server or a user may write in the other case.
 */
export function redactValues(text: string, secrets: Iterable<string | undefined | null>, options: { ignoreCase?: boolean } = {}): string {
  const values: string[] = [];
  for (const s of secrets) if (typeof s === "string" && s.length >= 4) values.push(s);
  // Longest first, so a secret containing another one is removed whole.
  values.sort((a, b) => b.length - a.length);
  let out = text;
  for (const v of values) {
    if (options.ignoreCase === true) out = out.replace(new RegExp(v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "gi"), REDACTED);
    else if (out.includes(v)) out = out.split(v).join(REDACTED);
  }
  return out;
}

/**
 * Deep copy of a JSON-like value with secret fields replaced by `[REDACTED]` and every string passed
 * through {@link redact}. Used for profile dumps and debug output of objects.
 */
export function redactValue(value: unknown, extraSecrets?: Iterable<string | undefined>): unknown {
  const extras = extraSecrets ? [...extraSecrets] : undefined;
  const walk = (v: unknown, depth: number): unknown => {
    if (depth > 20) return REDACTED;
    if (typeof v === "string") return redact(v, extras);
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        out[k] = SECRET_FIELDS.has(k.toLowerCase()) && x !== undefined && x !== null ? REDACTED : walk(x, depth + 1);
      }
      return out;
    }
    return v;
  };
  return walk(value, 0);
}
