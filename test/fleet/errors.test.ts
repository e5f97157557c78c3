import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { loadFleetDefinition } from "../../src/fleet";
import { expectFleetError, fixtureDir, GROUP, lines, PAC1, PAC2, PAC3 } from "./helpers";

const noEnv = {};

/** The issue lines of an error message, each `file:line[:col] field: message Fix: fix`. */
const issueLines = (message: string) => message.split("\n").slice(1).map((l) => l.replace(/^ {2}- /, ""));

describe("fleet file errors", () => {
  it("reports every problem at once, each with file, line, field and a fix", () => {
    const dir = fixtureDir({
      "fleet.yaml": lines(
        "defaults:", //                                   1
        `  groupID: ${GROUP}`, //                          2  unknown key (did you mean groupId)
        "devices:", //                                     3
        "  - deviceId: 12345678", //                       4  a number
        `    pac: "${PAC1}"`, //                           5
        '  - deviceId: "XYZ"', //                          6  not hex
        `    pac: "${PAC2}"`, //                           7
        '  - deviceId: "1A2B3C01"', //                     8
        "    groupId: not-a-uuid", //                      9  bad group
        "    colour: red", //                              10 unknown key
        `    pac: "${PAC3}"`, //                           11
        '  - deviceId: "1a2b3c01"', //                     12 duplicate of line 8
        `    pac: "${PAC3}"`, //                           13
        '  - deviceId: "1A2B3C09"', //                     14 no PAC source
        "    terminationEnabled: yes", //                  15 not a boolean
      ),
    });
    const file = path.join(dir, "fleet.yaml");
    const error = expectFleetError(() => loadFleetDefinition(file, { env: noEnv, cwd: dir }));
    expect(error.code).toBe("fleet_invalid");
    expect(error.message.split("\n")[0]).toBe("Invalid fleet definition fleet.yaml: 8 problems");
    const sorted = [...error.issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    expect(sorted.map((i) => [i.line, i.field])).toEqual([
      [2, "defaults.groupID"],
      [4, "devices[0].deviceId"],
      [6, "devices[1].deviceId"],
      [9, "devices[2].groupId"],
      [10, "devices[2].colour"],
      [12, "devices[3].deviceId"],
      [14, "devices[4]"],
      [15, "devices[4].terminationEnabled"],
    ]);
    const printed = issueLines(error.message);
    expect(printed).toHaveLength(error.issues.length);
    for (const line of printed) expect(line).toMatch(/^fleet\.yaml:\d+(:\d+)? \S+: .+ Fix: .+/);
    expect(printed.join("\n")).toContain('did you mean "groupId"?');
    expect(printed.join("\n")).toContain("YAML reads unquoted digits as a number");
    expect(printed.join("\n")).toContain('"XYZ"');
    expect(printed.join("\n")).toContain("device 1a2b3c01 is listed more than once: already at fleet.yaml:8");
    expect(printed.join("\n")).toContain("device 1A2B3C09 has no PAC source");
    expect(printed.join("\n")).toContain("pac-1A2B3C09");
  });
});
