/**
 * Endpoint convention (docs/ARCHITECTURE.md): an origin *without* `/v1`. The client appends `/v1`;
 * a trailing `/v1` (or `/v1/`) given by a user is tolerated and stripped.
 */
import { configError } from "./errors";

/** Coverage types and their API origins. */
export const COVERAGE_ENDPOINTS = {
  jp: "https://api.soracom.io",
  g: "https://g.api.soracom.io",
} as const;
export type CoverageType = keyof typeof COVERAGE_ENDPOINTS;

/** Sandbox origins (the sandbox has no Sigfox endpoints; kept for profiles with `sandbox: true`). */
export const SANDBOX_ENDPOINTS = {
  jp: "https://api-sandbox.soracom.io",
  g: "https://g.api-sandbox.soracom.io",
} as const;

/** Parses a coverage type; empty or undefined means `jp` (as soracom-cli does). */
export function parseCoverageType(value: string | undefined, source: string): CoverageType | undefined {
  if (value === undefined || value === "") return undefined;
  if (value === "jp" || value === "g") return value;
  throw configError(`Invalid coverage type ${JSON.stringify(value)} from ${source}: expected "jp" or "g"`);
}

/**
 * Normalizes a user-given endpoint to an origin-like base without a trailing slash or `/v1`:
 * `https://api.soracom.io/v1/` → `https://api.soracom.io`. Throws a `config` error for a non-http(s) URL.
 */
export function normalizeEndpoint(value: string, source: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw configError(`Invalid endpoint from ${source}: not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw configError(`Invalid endpoint from ${source}: protocol must be http or https`);
  }
  if (url.username || url.password) {
    throw configError(`Invalid endpoint from ${source}: credentials in the URL are not supported`);
  }
  let path = url.pathname.replace(/\/+$/, "");
  if (path.endsWith("/v1")) path = path.slice(0, -3);
  path = path.replace(/\/+$/, "");
  return `${url.protocol}//${url.host}${path}`;
}

/** The API origin for a coverage type (`jp` by default). */
export function endpointForCoverage(coverage: CoverageType | undefined, sandbox = false): string {
  const c = coverage ?? "jp";
  return sandbox ? SANDBOX_ENDPOINTS[c] : COVERAGE_ENDPOINTS[c];
}
