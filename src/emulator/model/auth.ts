/**
 * Authentication rules: `POST /v1/auth` in its three credential forms, and the check of the
 * `X-Soracom-API-Key` / `X-Soracom-Token` pair on every other call.
 */
import { timingSafeEqual } from "node:crypto";
import type { AuthRequest } from "../../api/schemas";
import { fail } from "../errors";
import type { ModelContext } from "./context";
import { newApiKey, newToken } from "./ids";
import type { IssuedToken, Operator } from "./state";

export const DEFAULT_TOKEN_TIMEOUT_SECONDS = 86_400;

export interface AuthResult {
  apiKey: string;
  token: string;
  operatorId: string;
  userName?: string;
  tokenTimeoutSeconds: number;
}

function secretEquals(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function findOperator(ctx: ModelContext, req: AuthRequest): { operator: Operator; userName?: string } {
  const operators = Object.values(ctx.state.operators);
  if (req.authKeyId !== undefined || req.authKey !== undefined) {
    for (const operator of operators) {
      const key = operator.authKeys.find((k) => k.authKeyId === req.authKeyId);
      if (key && secretEquals(key.authKey, req.authKey)) return { operator };
    }
    return fail("invalidCredentials");
  }
  if (req.operatorId !== undefined && req.userName !== undefined) {
    const operator = ctx.state.operators[req.operatorId];
    const user = operator?.users.find((u) => u.userName === req.userName);
    if (operator && user && secretEquals(user.password, req.password)) return { operator, userName: user.userName };
    return fail("invalidCredentials");
  }
  if (req.email !== undefined) {
    // Emails are case-insensitive in practice; passwords are not.
    const operator = operators.find((o) => o.email !== undefined && o.email.toLowerCase() === req.email!.toLowerCase());
    if (operator && secretEquals(operator.password, req.password)) return { operator };
    return fail("invalidCredentials");
  }
  return fail("authRequestInvalid");
}

/** Issues a new API key + token pair. `mfaOTPCode` is accepted and ignored (no operator has MFA here). */
export function authenticate(ctx: ModelContext, req: AuthRequest): AuthResult {
  const { operator, userName } = findOperator(ctx, req);
  const timeout = req.tokenTimeoutSeconds ?? DEFAULT_TOKEN_TIMEOUT_SECONDS;
  const now = ctx.clock.now();
  const expiresAt = now + timeout * 1000;
  const apiKey = newApiKey();
  const token = newToken(operator.operatorId, expiresAt);
  const issued: IssuedToken = { apiKey, operatorId: operator.operatorId, issuedAt: now, expiresAt };
  if (userName !== undefined) issued.userName = userName;
  ctx.state.tokens[token] = issued;
  pruneExpiredTokens(ctx);
  return { apiKey, token, operatorId: operator.operatorId, ...(userName !== undefined ? { userName } : {}), tokenTimeoutSeconds: timeout };
}

/** Returns the operator the pair belongs to, or throws the 401 the real API answers. */
export function verifyToken(ctx: ModelContext, apiKey: string | undefined, token: string | undefined): IssuedToken {
  if (!apiKey || !token) return fail("tokenRequired");
  const issued = ctx.state.tokens[token];
  if (!issued || !secretEquals(issued.apiKey, apiKey)) return fail("invalidToken");
  if (issued.expiresAt <= ctx.clock.now()) return fail("tokenExpired");
  if (!ctx.state.operators[issued.operatorId]) return fail("invalidToken");
  return issued;
}

/**
 * Drops tokens that expired more than a day ago, so a long-running emulator (or its state file) does
 * not grow forever. Recently expired ones stay so the caller gets "expired", not "invalid".
 */
export function pruneExpiredTokens(ctx: ModelContext): void {
  const horizon = ctx.clock.now() - 86_400_000;
  for (const [token, issued] of Object.entries(ctx.state.tokens)) {
    if (issued.expiresAt < horizon) delete ctx.state.tokens[token];
  }
}
