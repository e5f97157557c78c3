/**
 * Request bodies, read with a size limit. A body over the limit is refused with 413 before it is
 * buffered: a declared `Content-Length` is checked before reading anything, and a chunked body is
 * counted as it streams in and abandoned at the first byte over the limit. The connection of a 413 is
 * closed after the answer (a lingering close: see `lingerBeforeClose`), so the rest of a huge body is
 * never kept either.
 *
 * Why limits at all: a 10 MB tag value made every later write re-serialise and fsync a 19 MB state
 * file, and a 600 MB `/auth` body grew the process to 1.3 GB (issue 13).
 */
import type { Socket } from "node:net";
import type { Context, MiddlewareHandler } from "hono";
import { EmulatorError, fail } from "../errors";
import type { AppEnv } from "./runtime";

/**
 * Largest API request body: the biggest valid one (100 tags of 128 + 1024 characters, every character
 * escaped as `\uXXXX`) is about 700 KB.
 */
export const MAX_API_BODY_BYTES = 1024 * 1024;
/** Largest control-plane body: seeds of many thousands of devices (the benchmarks) fit. */
export const MAX_CONTROL_BODY_BYTES = 32 * 1024 * 1024;

/** The limit of a path: the control plane's is larger. */
export function bodyLimitFor(pathname: string, controlPrefix: string): number {
  return pathname === controlPrefix || pathname.startsWith(`${controlPrefix}/`) ? MAX_CONTROL_BODY_BYTES : MAX_API_BODY_BYTES;
}

function tooLarge(limit: number): EmulatorError {
  return new EmulatorError("payloadTooLarge", `Request body is too large: at most ${limit} bytes`);
}

/** A declared length over the limit (an unparsable one is left to the HTTP parser). */
export function declaredTooLarge(c: Context, limit: number): boolean {
  const declared = c.req.header("content-length");
  return declared !== undefined && /^\d+$/.test(declared.trim()) && Number(declared) > limit;
}

/**
 * Refuses a request whose declared `Content-Length` is over the limit, on every route (also those that
 * never read a body), before routing: `onTooLarge` builds the answer.
 */
export function refuseDeclaredOversizedBodies(
  limitOf: (c: Context<AppEnv>) => number,
  onTooLarge: (c: Context<AppEnv>, err: EmulatorError) => Response,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const limit = limitOf(c);
    if (declaredTooLarge(c, limit)) {
      lingerBeforeClose(c.env.incoming.socket);
      return closeAfter(onTooLarge(c, tooLarge(limit)));
    }
    await next();
    if (c.res.status === 413) {
      lingerBeforeClose(c.env.incoming.socket);
      c.res = closeAfter(c.res);
    }
  };
}

/** How long a refused connection keeps reading (and discarding) what the client still sends. */
export const LINGER_MS = 2000;

/**
 * A "lingering close" (RFC 9112 §9.6; nginx's `lingering_close`). The server closes a 413's
 * connection while the client may still be sending its body; closed at once, the kernel answers the
 * client's next bytes with a reset, which can destroy the 413 before the client has read it (the
 * client sees EPIPE or ECONNRESET, not the answer: test/emulator/limits.test.ts, chunked 600 MB).
 * So when the HTTP server closes this connection after the answer, our side only ends (FIN), what
 * still arrives is read and discarded (nothing is kept), and the socket is destroyed when the client
 * closes or after {@link LINGER_MS}.
 */
function lingerBeforeClose(socket: Socket): void {
  socket.destroySoon = () => {
    socket.end();
    socket.resume();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once("close", () => clearTimeout(timer));
    socket.once("end", () => socket.destroy());
  };
}

/** Asks the HTTP server to close the connection after this answer (the rest of the body is never read). */
function closeAfter(res: Response): Response {
  const headers = new Headers(res.headers);
  headers.set("connection", "close");
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}

/**
 * The body as text (UTF-8; invalid sequences become U+FFFD), at most `limit` bytes, else a 413 error.
 * An absent body is "".
 */
export async function readBodyText(c: Context, limit: number): Promise<string> {
  if (declaredTooLarge(c, limit)) throw tooLarge(limit);
  const stream = c.req.raw.body;
  if (!stream) return "";
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      // Stop reading; the 413 closes the connection, which discards what the client still sends.
      reader.releaseLock();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/** Reads a JSON body; an empty body is `undefined`. Invalid JSON is a 400 whose message does not quote the body. */
export async function readJsonBody(c: Context, limit: number = MAX_API_BODY_BYTES): Promise<unknown> {
  const text = await readBodyText(c, limit);
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return fail("badRequest", "Request body is not valid JSON");
  }
}
