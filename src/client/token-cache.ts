/**
 * Process-wide cache of API token pairs: one `/auth` per credential per process.
 *
 * Keyed by (endpoint, SHA-256 of the credential identity), never by the secret itself. Single-flight:
 * concurrent callers for the same key share one `/auth`. A pair is refreshed once 80% of its lifetime
 * (as requested with `tokenTimeoutSeconds`) has passed. A 401 invalidates only the pair that was
 * rejected, so many concurrent 401s lead to exactly one re-authentication.
 */
import { createHash } from "node:crypto";
import type { Credentials, TokenCredentials } from "./credentials";

/** A token pair obtained from `/auth` (or pre-issued). */
export interface TokenPair {
  apiKey: string;
  token: string;
  operatorId: string;
  userName?: string;
  /** Local time (ms) after which the pair is renewed before use. */
  refreshAt: number;
}

interface Entry {
  pair?: TokenPair;
  inflight?: Promise<TokenPair>;
}

/** Fraction of the token lifetime after which it is renewed. */
export const TOKEN_REFRESH_FRACTION = 0.8;

const cache = new Map<string, Entry>();

/** Cache key of a credential at an endpoint: no secret in clear. */
export function tokenCacheKey(endpoint: string, credentials: Credentials, tokenTimeoutSeconds: number): string {
  const identity = JSON.stringify(
    Object.keys(credentials)
      .sort()
      .map((k) => [k, (credentials as unknown as Record<string, unknown>)[k]]),
  );
  const hash = createHash("sha256").update(identity).update("\0").update(String(tokenTimeoutSeconds)).digest("hex");
  return `${endpoint}#${hash.slice(0, 32)}`;
}

/**
 * Returns a valid cached pair for `key`, or runs `authenticate` (once, shared by concurrent callers)
 * and caches its result. `now` is the local clock in ms.
 */
export function getTokenPair(
  key: string,
  authenticate: () => Promise<TokenPair>,
  now: number,
): { pair: Promise<TokenPair>; fresh: boolean } {
  let entry = cache.get(key);
  if (!entry) {
    entry = {};
    cache.set(key, entry);
  }
  if (entry.pair && now < entry.pair.refreshAt) return { pair: Promise.resolve(entry.pair), fresh: false };
  if (entry.inflight) return { pair: entry.inflight, fresh: false };
  const e = entry;
  const p = authenticate().then(
    (pair) => {
      e.pair = pair;
      e.inflight = undefined;
      return pair;
    },
    (err: unknown) => {
      e.inflight = undefined;
      throw err;
    },
  );
  // Callers may abandon the wait; the shared promise must not become an unhandled rejection.
  p.catch(() => undefined);
  e.inflight = p;
  return { pair: p, fresh: true };
}

/** Drops the cached pair for `key` if it is still `rejected` (the pair a 401 refused). */
export function invalidateTokenPair(key: string, rejected: TokenPair): void {
  const entry = cache.get(key);
  if (entry?.pair && entry.pair.token === rejected.token && entry.pair.apiKey === rejected.apiKey) {
    entry.pair = undefined;
  }
}

/** Empties the cache (tests, or after rotating credentials). */
export function clearTokenCache(): void {
  cache.clear();
}

/** The pair of a pre-issued API key/token: never renewed; the operator ID given, else the token's claim. */
export function preIssuedTokenPair(c: TokenCredentials): TokenPair {
  return { apiKey: c.apiKey, token: c.token, operatorId: c.operatorId ?? decodeOperatorId(c.token) ?? "", refreshAt: Number.POSITIVE_INFINITY };
}

/** `operatorId` claim of a JWT-shaped token, if any (pre-issued tokens). */
function decodeOperatorId(token: string): string | undefined {
  const part = token.split(".")[1];
  if (!part) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>;
    const op = claims.operatorId ?? (claims.operator as { operatorId?: unknown } | undefined)?.operatorId;
    return typeof op === "string" ? op : undefined;
  } catch {
    return undefined;
  }
}
