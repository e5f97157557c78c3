/** Shared helpers of the client tests: an emulator per file, fresh clients, wire interceptors. */
import { Agent, DecoratorHandler, type Dispatcher } from "undici";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../src/emulator";
import { resetSharedClientState, SoracomClient, type SoracomClientOptions } from "../../src/client";
import { afterAll, beforeAll, beforeEach } from "vitest";

/** Small waits so retries, backoff and rate-limit waits keep the suite fast. */
export const FAST_RETRY = { baseDelayMs: 5, maxDelayMs: 20, maxRateLimitWaitMs: 50 } as const;

export async function emulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  return startEmulator({ port: 0, ...options });
}

/**
 * One emulator for the test file, reset (with the process-wide client state) before every test. The
 * returned object forwards to the running emulator, so tests use it like a `RunningEmulator`; hooks a
 * file registers afterwards run after the reset.
 */
export function useEmulator(options: EmulatorOptions = {}): RunningEmulator {
  let current: RunningEmulator | undefined;
  beforeAll(async () => {
    current = await emulator(options);
  });
  afterAll(async () => {
    await current?.close();
    await resetSharedClientState();
  });
  beforeEach(async () => {
    await current!.control.reset();
    await resetSharedClientState();
  });
  return new Proxy({} as RunningEmulator, {
    get(_target, property) {
      if (!current) throw new Error("the emulator starts in beforeAll: use it inside hooks and tests");
      return Reflect.get(current, property);
    },
  });
}

/** A client for `emu` with its default auth key, fast retries and an empty environment. */
export function clientFor(emu: RunningEmulator, options: SoracomClientOptions = {}): SoracomClient {
  return new SoracomClient({
    endpoint: emu.url,
    credentials: { authKeyId: emu.credentials.authKeyId, authKey: emu.credentials.authKey },
    env: {},
    ...options,
    retry: { ...FAST_RETRY, ...options.retry },
  });
}

/** Records every request the client puts on the wire (method, path, headers, body), over a real Agent. */
export function recordingDispatcher(): { dispatcher: Dispatcher; requests: Array<{ method: string; path: string; headers: Record<string, string>; body?: string }> } {
  const requests: Array<{ method: string; path: string; headers: Record<string, string>; body?: string }> = [];
  const dispatcher = new Agent({ connections: 4 }).compose((dispatch) => (opts, handler) => {
    const headers: Record<string, string> = {};
    const h = opts.headers as Record<string, string> | undefined;
    if (h) for (const [k, v] of Object.entries(h)) headers[k.toLowerCase()] = String(v);
    requests.push({ method: opts.method, path: opts.path, headers, ...(typeof opts.body === "string" ? { body: opts.body } : {}) });
    return dispatch(opts, handler);
  });
  return { dispatcher, requests };
}

// undici implements onResponseStart on DecoratorHandler, its typings do not declare it.
type ResponseStart = NonNullable<Dispatcher.DispatchHandler["onResponseStart"]>;
interface Decorated extends Dispatcher.DispatchHandler {
  onResponseStart(...args: Parameters<ResponseStart>): void;
}
const Decorator = DecoratorHandler as unknown as new (handler: Dispatcher.DispatchHandler) => Decorated;

/** A real Agent whose responses lose the named headers (to test each pagination header alone). */
export function strippingDispatcher(...names: string[]): Dispatcher {
  class Strip extends Decorator {
    override onResponseStart(...[controller, statusCode, headers, statusMessage]: Parameters<ResponseStart>): void {
      for (const n of names) delete (headers as Record<string, unknown>)[n];
      super.onResponseStart(controller, statusCode, headers, statusMessage);
    }
  }
  return new Agent({ connections: 4 }).compose((dispatch) => (opts, handler) => dispatch(opts, new Strip(handler)));
}

/** Awaits `p` and returns what it rejected with (fails if it resolved). */
export { rejection } from "../helpers/common";
