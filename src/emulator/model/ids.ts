/** Generators for the secrets and identifiers the emulator hands out. */
import { randomBytes, randomUUID } from "node:crypto";

/** A PAC: 8 random bytes as 16 upper-case hex characters (the form Sigfox prints on devices). */
export function newPac(): string {
  return randomBytes(8).toString("hex").toUpperCase();
}

/** Real API keys look like `api-<uuid>`. */
export function newApiKey(): string {
  return `api-${randomUUID()}`;
}

/** Real tokens are JWTs; ours has the same three-part shape so log redaction and header sizes are realistic. */
export function newToken(operatorId: string, expiresAtMs: number): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const header = b64({ alg: "HS256", typ: "JWT" });
  const payload = b64({ iss: "soracom-sigfox-emulator", operatorId, exp: Math.floor(expiresAtMs / 1000), jti: randomUUID() });
  return `${header}.${payload}.${randomBytes(32).toString("base64url")}`;
}
