/**
 * No secret (auth key, password, PAC, API key, token) appears in any thrown error's message, stack,
 * JSON or inspection, nor in any logger line, across a run that exercises every failure path.
 */
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_OPERATOR, type RunningEmulator } from "../../src/emulator";
import { resetSharedClientState, SoracomClient } from "../../src/client";
import { clientFor, emulator, recordingDispatcher, rejection } from "./helpers";

const PAC = "A1B2C3D4E5F60718";
let emu: RunningEmulator;

beforeAll(async () => {
  await resetSharedClientState();
  emu = await emulator({
    seed: {
      devices: [
        { deviceId: "30", pac: PAC },
        { deviceId: "31", ownerOperatorId: DEFAULT_OPERATOR.operatorId },
      ],
    },
  });
});
afterAll(async () => {
  await emu.close();
  await resetSharedClientState();
});

describe("redaction", () => {
  it("keeps every secret out of errors and log lines", async () => {
    const lines: string[] = [];
    const rec = recordingDispatcher();
    const logger = (l: string) => lines.push(l);
    const errors: unknown[] = [];
    const collect = async (p: Promise<unknown>) => errors.push(await rejection(p));

    const good = clientFor(emu, { logger, dispatcher: rec.dispatcher, tokenTimeoutSeconds: 180 });
    // wrong PAC (the server may echo it), then a register that is dropped after the change
    await collect(good.registerSigfoxDevice("30", { registrationSecret: "FFEEDDCCBBAA9988" }));
    await emu.control.injectFault({ operation: "registerSigfoxDevice", drop: "after", count: 1 });
    await collect(good.registerSigfoxDevice("30", { registrationSecret: PAC }));
    // 5xx, 404, timeout, token expiry then a 401 that re-auth fixes, then a bad token
    await emu.control.injectFault({ operation: "terminateSigfoxDevice", status: 500, count: 1 });
    await collect(good.terminateSigfoxDevice("31"));
    await collect(good.getSigfoxDevice("DEAD"));
    await emu.control.advanceClock(400);
    await good.getSigfoxDevice("31");
    await emu.control.injectFault({ operation: "getSigfoxDevice", latencyMs: 300, count: 1 });
    await collect(clientFor(emu, { logger, timeouts: { operationMs: 50 } }).getSigfoxDevice("31"));
    // bad credentials of every kind
    await collect(clientFor(emu, { logger, credentials: { authKeyId: "keyId-x", authKey: "secret-bad-authkey-123" } }).listSigfoxDevices());
    await collect(clientFor(emu, { logger, credentials: { email: "a@b.c", password: "bad-password-123" } }).listSigfoxDevices());
    await collect(clientFor(emu, { logger, credentials: { operatorId: "OP1", userName: "u", password: "bad-sam-password-123" } }).listSigfoxDevices());
    await collect(
      new SoracomClient({ endpoint: emu.url, env: {}, logger, credentials: { apiKey: "api-bogus-123456", token: "token-bogus-123456" } }).listSigfoxDevices(),
    );

    const tokens = rec.requests.flatMap((r) => [r.headers["x-soracom-api-key"], r.headers["x-soracom-token"]]).filter((x): x is string => !!x);
    expect(tokens.length).toBeGreaterThanOrEqual(4); // two token pairs (before and after expiry)
    const secrets = [
      DEFAULT_OPERATOR.authKey,
      PAC,
      "FFEEDDCCBBAA9988",
      "secret-bad-authkey-123",
      "bad-password-123",
      "bad-sam-password-123",
      "api-bogus-123456",
      "token-bogus-123456",
      ...new Set(tokens),
    ];
    expect(errors).toHaveLength(9);
    expect(lines.length).toBeGreaterThan(10);
    const texts = [
      ...errors.map((e) => {
        const err = e as Error;
        return [err.message, err.stack ?? "", JSON.stringify(err), inspect(err, { depth: 5 }), String(err)].join("\n");
      }),
      ...lines,
    ];
    for (const t of texts) for (const s of secrets) expect(t.includes(s), `secret leaked into: ${t.slice(0, 200)}`).toBe(false);
    // the log lines say what happened
    expect(lines.some((l) => /registerSigfoxDevice POST \/v1\/sigfox_devices\/30\/register -> network error .* attempt=1/.test(l))).toBe(true);
    expect(lines.some((l) => /getSigfoxDevice GET \/v1\/sigfox_devices\/31 -> 401 in \d+ms attempt=1/.test(l))).toBe(true);
  });
});
