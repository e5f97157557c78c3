/** Seed files: YAML or JSON, with IDs and PACs kept exactly as written. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../../src/emulator";
import { Api, requireEmulator } from "./harness";

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "sigfox-emu-seed-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("seed files", () => {
  it("keeps all-digit device IDs and PACs (with leading zeros) as written, and tag values as strings", async (ctx) => {
    requireEmulator(ctx);
    const file = path.join(dir, "seed.yaml");
    fs.writeFileSync(
      file,
      [
        "groups:",
        "  - groupId: 11111111-2222-4333-8444-555555555555",
        "devices:",
        "  - deviceId: 0123",
        "    pac: 0011223344556677",
        "  - deviceId: 4567",
        "    ownerOperatorId: OP0012345678",
        "    terminationEnabled: true",
        "    groupId: 11111111-2222-4333-8444-555555555555",
        "    tags: { enabled: true, floor: 03, note: null }",
        "",
      ].join("\n"),
    );
    const emu = await startEmulator({ seed: file });
    try {
      const api = new Api(emu.url);
      await api.login({ authKeyId: emu.credentials.authKeyId, authKey: emu.credentials.authKey });
      const reg = await api.post("/sigfox_devices/0123/register", { body: { registrationSecret: "0011223344556677" } });
      expect(reg.status).toBe(200);
      expect(reg.body.device_id).toBe("0123");
      const owned = await api.get("/sigfox_devices/4567");
      expect(owned.body).toMatchObject({
        terminationEnabled: true,
        groupId: "11111111-2222-4333-8444-555555555555",
        tags: { enabled: "true", floor: "03", note: "null" },
      });
    } finally {
      await emu.close();
    }
  });

  it("accepts JSON and reports an invalid seed with the field path, without quoting values", async (ctx) => {
    requireEmulator(ctx);
    const good = path.join(dir, "seed.json");
    fs.writeFileSync(good, JSON.stringify({ devices: [{ deviceId: "ABCD", pac: "FFEEDDCCBBAA9988" }] }));
    const emu = await startEmulator({ seed: good });
    expect((await emu.control.state()).devices.map((d) => d.deviceId)).toEqual(["ABCD"]);
    await emu.close();

    const bad = path.join(dir, "bad.yaml");
    fs.writeFileSync(bad, "devices:\n  - deviceId: ABCD\n    pac: SECRETSECRETSECR\n");
    const err = await startEmulator({ seed: bad }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toContain("devices[0].pac");
    expect(err?.message).not.toContain("SECRETSECRETSECR");
  });
});
