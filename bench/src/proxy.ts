/**
 * A byte-counting HTTP reverse proxy put between an API client (the provider process, or a client in
 * this process) and the emulator. The emulator's request log has no sizes and the provider's client
 * lives in another process, so the bytes on the wire are measured here: request and response bytes
 * (start line, headers and body, as HTTP/1.1 would carry them), requests seen, and the largest number
 * of requests in flight at once (what a concurrency cap must bound).
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface ProxyCounters {
  requests: number;
  /** Request bytes: request line + headers + body. */
  bytesSent: number;
  /** Response bytes: status line + headers + body. */
  bytesReceived: number;
  /** Body bytes only, both directions (comparable to the client's `stats()`). */
  bodyBytesSent: number;
  bodyBytesReceived: number;
  maxInFlight: number;
}

export interface CountingProxy {
  url: string;
  counters(): ProxyCounters;
  reset(): void;
  close(): Promise<void>;
}

function headerBytes(rawHeaders: string[]): number {
  let n = 0;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) n += Buffer.byteLength(rawHeaders[i]!) + 2 + Buffer.byteLength(rawHeaders[i + 1]!) + 2;
  return n + 2;
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const targetUrl = new URL(target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  let c: ProxyCounters = empty();
  let inFlight = 0;

  const server = http.createServer((req, res) => {
    inFlight += 1;
    c.requests += 1;
    c.maxInFlight = Math.max(c.maxInFlight, inFlight);
    c.bytesSent += Buffer.byteLength(`${req.method} ${req.url} HTTP/1.1\r\n`) + headerBytes(req.rawHeaders);
    let finished = false;
    const done = (): void => {
      if (!finished) {
        finished = true;
        inFlight -= 1;
      }
    };
    res.on("close", done);
    const headers = { ...req.headers, host: targetUrl.host };
    const upstream = http.request(
      { protocol: targetUrl.protocol, hostname: targetUrl.hostname, port: targetUrl.port, method: req.method, path: req.url, headers, agent },
      (up) => {
        c.bytesReceived += Buffer.byteLength(`HTTP/1.1 ${up.statusCode} ${up.statusMessage ?? ""}\r\n`) + headerBytes(up.rawHeaders);
        res.writeHead(up.statusCode ?? 502, up.statusMessage, up.rawHeaders);
        up.on("data", (chunk: Buffer) => {
          c.bytesReceived += chunk.length;
          c.bodyBytesReceived += chunk.length;
        });
        up.pipe(res);
      },
    );
    upstream.on("error", () => {
      // The emulator dropped the connection (a fault): pass the drop on.
      res.destroy();
      done();
    });
    req.on("data", (chunk: Buffer) => {
      c.bytesSent += chunk.length;
      c.bodyBytesSent += chunk.length;
    });
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counters: () => ({ ...c }),
    reset: () => {
      c = empty();
      c.maxInFlight = inFlight;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}

function empty(): ProxyCounters {
  return { requests: 0, bytesSent: 0, bytesReceived: 0, bodyBytesSent: 0, bodyBytesReceived: 0, maxInFlight: 0 };
}
