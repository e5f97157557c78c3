/** docs/fleet.md stays true: its schema block is the zod schema, and its complete example loads as described. */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { FleetFileSchema, loadFleetDefinition } from "../../src/fleet";
import { fixtureDir } from "./helpers";

const doc = fs.readFileSync(path.resolve(__dirname, "../../docs/fleet.md"), "utf8");

/** The fenced blocks of `lang` in the section starting at `heading`, in order. */
function blocks(heading: string, lang: string): string[] {
  const start = doc.indexOf(`\n${heading}\n`);
  const end = doc.indexOf("\n## ", start + heading.length + 2);
  const section = doc.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, "g"))].map((m) => m[1] ?? "");
}

function withoutDescriptions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDescriptions);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => k !== "description")
      .map(([k, v]) => [k, withoutDescriptions(v)]),
  );
}

describe("docs/fleet.md", () => {
  it("documents exactly the schema the loader enforces", () => {
    const [schemaBlock] = blocks("## Schema", "json");
    expect(withoutDescriptions(JSON.parse(schemaBlock!))).toEqual(z.toJSONSchema(FleetFileSchema));
  });

  it("has a complete example that loads into the devices it describes", () => {
    const [fleetYaml] = blocks("## A complete example", "yaml");
    const [devicesCsv, pacsCsv] = blocks("## A complete example", "csv");
    const dir = fixtureDir({ "fleet.yaml": fleetYaml!, "devices.csv": devicesCsv! });
    const home = fixtureDir({ "secure/vendor-pacs.csv": pacsCsv! });
    const fleet = loadFleetDefinition(path.join(dir, "fleet.yaml"), { env: { HOME: home, PAC_OF_THE_SPARE: "0000111122223333" } });
    expect(fleet.devices.map((d) => d.deviceId)).toEqual(["1A2B3C01", "1A2B3C02", "1A2B3C03", "1A2B3C21", "1A2B3C22"]);
    const byId = Object.fromEntries(fleet.devices.map((d) => [d.deviceId, d]));
    expect(byId["1A2B3C01"]?.tags).toEqual({ project: "vending", owner: "iot-team", site: "tokyo-hq", floor: "3" });
    expect(byId["1A2B3C02"]?.tags).toEqual({ owner: "lab-team" });
    expect(byId["1A2B3C02"]?.groupId).toBeUndefined();
    expect(byId["1A2B3C03"]?.pacSource).toEqual({ kind: "env", where: "env PAC_OF_THE_SPARE" });
    expect(byId["1A2B3C22"]?.tags).toEqual({ project: "vending", owner: "iot-team", site: "kobe", truck: "TRK-101" });
    expect(byId["1A2B3C22"]?.groupId).toBe("6a0c2d8e-1f3b-4c5d-9e7f-8a9b0c1d2e3f");
    expect(byId["1A2B3C21"]?.groupId).toBe("3f2b1c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d");
  });
});
