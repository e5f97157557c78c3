/**
 * Fails when the wire schemas (src/api/schemas.ts) or the client drift from the OpenAPI contract.
 * Reads the in-repo copy `spec/soracom-sigfox-openapi.yaml` (so a fresh clone has it) and checks that
 * it is identical to the shared contract `../shared/api/...` when that file exists beside the repo.
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { MockAgent } from "undici";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import * as S from "../../src/api/schemas";
import { SoracomClient } from "../../src/client";

const repoRoot = path.resolve(__dirname, "../..");
const specPath = path.join(repoRoot, "spec/soracom-sigfox-openapi.yaml");
const sharedSpecPath = path.resolve(repoRoot, "../shared/api/soracom-sigfox-openapi.yaml");

interface SpecSchema {
  type?: string;
  properties?: Record<string, SpecSchema & { $ref?: string; enum?: string[] }>;
  items?: SpecSchema & { $ref?: string };
  enum?: string[];
}
interface SpecOperation {
  operationId: string;
  parameters?: Array<{ name: string; in: string; schema?: { enum?: string[] } }>;
}
interface Spec {
  paths: Record<string, Record<string, SpecOperation>>;
  components: { schemas: Record<string, SpecSchema> };
}
const spec = parse(readFileSync(specPath, "utf8")) as Spec;

/** Unwraps optional/nullable/default wrappers of a zod 4 schema. */
function base(schema: z.ZodType): z.ZodType {
  let s = schema as z.ZodType & { unwrap?: () => z.ZodType; def: { type: string; innerType?: z.ZodType } };
  while (["optional", "nullable", "default"].includes(s.def.type)) s = s.def.innerType as typeof s;
  return s;
}
function shapeKeys(schema: z.ZodType): string[] {
  return Object.keys((base(schema) as unknown as { shape: Record<string, z.ZodType> }).shape).sort();
}
function enumValues(schema: z.ZodType): string[] {
  return [...(base(schema) as unknown as { options: string[] }).options].sort();
}

/** Fields our schemas carry beyond the spec on purpose; each with its reason. */
const KNOWN_EXTRA_FIELDS: Record<string, string[]> = {
  // "Newer spec revisions add an optional productCertificationId" (shared/docs/soracom-api.md).
  SigfoxRegistrationRequest: ["productCertificationId"],
};

const OBJECT_SCHEMAS: Array<[string, z.ZodType]> = [
  ["SigfoxDevice", S.ApiSigfoxDevice],
  ["LastSeen", S.LastSeen],
  ["SigfoxRegistrationRequest", S.SigfoxRegistrationRequest],
  ["TagUpdateRequest", S.TagUpdateRequest],
  ["SetGroupRequest", S.SetGroupRequest],
  ["SigfoxData", S.SigfoxData],
  ["DataEntry", S.DataEntry],
];

describe("spec drift: wire schemas match the OpenAPI contract", () => {
  // Defined only where the shared contract sits beside the repository (CI, the team's machines); a
  // user's clone has just the in-repo copy, which every other test here checks the schemas against.
  if (existsSync(sharedSpecPath)) {
    it("the in-repo spec copy is identical to the shared contract", () => {
      expect(readFileSync(specPath, "utf8")).toBe(readFileSync(sharedSpecPath, "utf8"));
    });
  }

  it("covers every component schema of the spec", () => {
    expect(OBJECT_SCHEMAS.map(([n]) => n).sort()).toEqual(Object.keys(spec.components.schemas).sort());
  });

  it.each(OBJECT_SCHEMAS)("%s has exactly the spec's field names", (name, schema) => {
    const specFields = Object.keys(spec.components.schemas[name]?.properties ?? {});
    const expected = [...specFields, ...(KNOWN_EXTRA_FIELDS[name] ?? [])].sort();
    expect(shapeKeys(schema)).toEqual(expected);
  });

  it("SigfoxDevice.status enum matches the spec", () => {
    expect(enumValues(S.ApiSigfoxDevice.shape.status)).toEqual([...(spec.components.schemas.SigfoxDevice!.properties!.status!.enum ?? [])].sort());
    expect([...S.SIGFOX_DEVICE_STATUSES].sort()).toEqual([...(spec.components.schemas.SigfoxDevice!.properties!.status!.enum ?? [])].sort());
  });

  it("DataEntry.resourceType enum matches the spec", () => {
    expect(enumValues(S.DataEntry.shape.resourceType)).toEqual([...(spec.components.schemas.DataEntry!.properties!.resourceType!.enum ?? [])].sort());
  });

  it("LastSeen inside SigfoxDevice and the nested tag maps are the spec's", () => {
    expect(spec.components.schemas.SigfoxDevice!.properties!.lastSeen!.$ref).toBe("#/components/schemas/LastSeen");
    expect(shapeKeys(S.ApiSigfoxDevice.shape.lastSeen)).toEqual(Object.keys(spec.components.schemas.LastSeen!.properties!).sort());
  });

  it("query enums (sort, tag_value_match_mode) match the spec", () => {
    const param = (p: string, m: string, n: string) => spec.paths[p]![m]!.parameters!.find((x) => x.name === n)!.schema!.enum!;
    expect([...S.DATA_SORT_ORDERS].sort()).toEqual([...param("/sigfox_devices/{device_id}/data", "get", "sort")].sort());
    expect([...S.TAG_VALUE_MATCH_MODES].sort()).toEqual([...param("/sigfox_devices", "get", "tag_value_match_mode")].sort());
  });

  it("SIGFOX_OPERATIONS lists exactly the spec's operationIds", () => {
    const ids = Object.values(spec.paths).flatMap((ops) => Object.values(ops).map((o) => o.operationId));
    expect([...S.SIGFOX_OPERATIONS].sort()).toEqual(ids.sort());
  });
});

describe("spec drift: the client sends every operation to the spec's method and path", () => {
  const ops: Array<{ id: string; method: string; template: string }> = Object.entries(spec.paths).flatMap(([p, ops]) =>
    Object.entries(ops).map(([m, o]) => ({ id: o.operationId, method: m.toUpperCase(), template: p })),
  );
  const device = { device_id: "1A2B", status: "ready" };
  const calls: Record<string, (c: SoracomClient) => Promise<unknown>> = {
    listSigfoxDevices: (c) => c.listSigfoxDevices({ tagName: "t", tagValue: "v", tagValueMatchMode: "prefix", limit: 5 }),
    getSigfoxDevice: (c) => c.getSigfoxDevice("1A2B"),
    getDataFromSigfoxDevice: (c) => c.getDataFromSigfoxDevice("1A2B", { sort: "asc", limit: 3 }),
    sendDataToSigfoxDevice: (c) => c.sendDataToSigfoxDevice("1A2B", "0102030405060708"),
    disableTerminationOnSigfoxDevice: (c) => c.disableTerminationOnSigfoxDevice("1A2B"),
    enableTerminationOnSigfoxDevice: (c) => c.enableTerminationOnSigfoxDevice("1A2B"),
    registerSigfoxDevice: (c) => c.registerSigfoxDevice("1A2B", { registrationSecret: "00112233445566AA", tags: { a: "b" } }),
    setSigfoxDeviceGroup: (c) => c.setSigfoxDeviceGroup("1A2B", "00000000-0000-4000-8000-000000000001"),
    putSigfoxDeviceTags: (c) => c.putSigfoxDeviceTags("1A2B", [{ tagName: "a", tagValue: "b" }]),
    deleteSigfoxDeviceTag: (c) => c.deleteSigfoxDeviceTag("1A2B", "a b/c"),
    terminateSigfoxDevice: (c) => c.terminateSigfoxDevice("1A2B", { deleteImmediately: true }),
    unsetSigfoxDeviceGroup: (c) => c.unsetSigfoxDeviceGroup("1A2B"),
  };

  it("has a client method for every operationId", () => {
    expect(Object.keys(calls).sort()).toEqual(ops.map((o) => o.id).sort());
    for (const id of Object.keys(calls)) expect(typeof (SoracomClient.prototype as unknown as Record<string, unknown>)[id]).toBe("function");
  });

  it.each(ops)("$id → $method $template", async ({ id, method, template }) => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    const pool = agent.get("http://spec.test");
    const seen: Array<{ method: string; path: string }> = [];
    pool
      .intercept({ path: () => true, method: () => true })
      .reply((opts) => {
        seen.push({ method: opts.method, path: opts.path });
        const status = id === "sendDataToSigfoxDevice" ? 202 : id === "deleteSigfoxDeviceTag" ? 204 : 200;
        const body = status !== 200 ? "" : id === "listSigfoxDevices" ? [device] : id === "getDataFromSigfoxDevice" ? [] : device;
        return { statusCode: status, data: body };
      })
      .persist();
    const client = new SoracomClient({ endpoint: "http://spec.test", credentials: { apiKey: "api-spec", token: "tok-spec" }, dispatcher: agent, env: {} });
    await calls[id]!(client);
    await agent.close();
    expect(seen).toHaveLength(1);
    const [pathname] = seen[0]!.path.split("?");
    const re = new RegExp(`^/v1${template.replace(/\{[^}]+\}/g, "[^/]+")}$`);
    expect(seen[0]!.method).toBe(method);
    expect(pathname).toMatch(re);
  });
});
