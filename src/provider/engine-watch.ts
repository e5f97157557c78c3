/**
 * The provider process stops itself when the Pulumi engine that started it is gone.
 *
 * Why: Pulumi starts plugins in their own process groups, so a `kill -9` of `pulumi up` (a cancelled
 * CI job, an OOM kill) leaves the dynamic-provider process running, and it would go on with the
 * creates in flight (register, then group, flag...) against the API while nobody records them, even
 * while the user already runs the recovery. With this watch, no API call starts more than
 * {@link ENGINE_WATCH_INTERVAL_MS} (plus one connection attempt) after the engine died, so the recovery
 * in the README only has to wait that long (the registrations already sent are adopted by the next
 * `pulumi up`).
 *
 * How: the host is started as `node <dynamic-provider> <engine address>`; the engine's gRPC port
 * refuses connections once the engine process is dead.
 */
import * as net from "node:net";

export const ENGINE_WATCH_INTERVAL_MS = 1_000;

let watching = false;

/** The engine's address when this process is the dynamic-provider host, else undefined. */
export function engineAddress(argv: readonly string[] = process.argv): { host: string; port: number } | undefined {
  if (!/dynamic-provider/.test(argv[1] ?? "")) return undefined;
  const m = /^(.*):(\d+)$/.exec(argv[2] ?? "");
  if (!m) return undefined;
  return { host: m[1] === "" ? "127.0.0.1" : m[1]!, port: Number(m[2]) };
}

/** Starts the watch (once per process; a no-op outside the dynamic-provider host). */
export function exitWhenEngineGone(): void {
  if (watching) return;
  const address = engineAddress();
  if (!address) return;
  watching = true;
  const timer = setInterval(() => {
    const socket = net.connect(address);
    socket.setTimeout(ENGINE_WATCH_INTERVAL_MS);
    socket.once("connect", () => socket.destroy());
    socket.once("timeout", () => socket.destroy());
    socket.once("error", (e: NodeJS.ErrnoException) => {
      socket.destroy();
      if (e.code !== "ECONNREFUSED") return;
      process.stderr.write(`pulumi-soracom-sigfox: the Pulumi engine (${address.host}:${address.port}) is gone; the provider stops (no further API call)\n`);
      process.exit(1);
    });
  }, ENGINE_WATCH_INTERVAL_MS);
  timer.unref();
}
