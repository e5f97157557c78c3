/** The default transport honours HTTP_PROXY / NO_PROXY from the client's environment (EnvHttpProxyAgent). */
import { createServer, request as httpRequest, type Server } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningEmulator } from "../../src/emulator";
import { resetSharedClientState, SoracomClient } from "../../src/client";
import { emulatorClientEnv } from "../helpers/common";
import { emulator } from "./helpers";

let emu: RunningEmulator;
let proxy: Server;
let proxyUrl: string;
const tunnels: string[] = [];

beforeAll(async () => {
  emu = await emulator();
  // A minimal forward proxy: absolute-form requests (plain http targets) are forwarded, CONNECT is
  // tunnelled; both record the target host.
  proxy = createServer((req, res) => {
    const target = new URL(req.url ?? "");
    tunnels.push(target.host);
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: target.pathname + target.search, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  proxy.on("connect", (req, socket, head) => {
    tunnels.push(req.url ?? "");
    const [host, port] = (req.url ?? "").split(":");
    const upstream = connect(Number(port), host, () => {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", () => r()));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
});
afterAll(async () => {
  await resetSharedClientState();
  await emu.close();
  proxy.closeAllConnections();
  await new Promise((r) => proxy.close(r));
});
beforeEach(async () => {
  tunnels.length = 0;
  await resetSharedClientState();
});

const env = (extra: Record<string, string>) => ({
  ...emulatorClientEnv(emu),
  ...extra,
});

describe("proxies from the environment", () => {
  it("sends requests through HTTP_PROXY", async () => {
    const c = new SoracomClient({ env: env({ HTTP_PROXY: proxyUrl }) });
    await expect(c.listSigfoxDevices()).resolves.toEqual({ items: [] });
    expect(tunnels).toContain(new URL(emu.url).host);
  });

  it("bypasses the proxy for hosts in NO_PROXY", async () => {
    const c = new SoracomClient({ env: env({ HTTP_PROXY: proxyUrl, NO_PROXY: "127.0.0.1" }) });
    await expect(c.listSigfoxDevices()).resolves.toEqual({ items: [] });
    expect(tunnels).toEqual([]);
  });
});
