import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { loadFleetDefinition } from "../../src/fleet";
import { MAX_TAG_NAME_LENGTH, MAX_TAG_VALUE_LENGTH } from "../../src/fleet/schema";
import * as provider from "../../src/provider/sigfox-device";
import { expectFleetError, fixtureDir, GROUP, lines, PAC1, PAC2, PAC3 } from "./helpers";

const noEnv = {};

/** The issue lines of an error message, each `file:line[:col] field: message Fix: fix`. */
const issueLines = (message: string) =>
  message
    .split("\n")
    .slice(1)
    .map((l) => l.replace(/^ {2}- /, ""));

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

describe("errors across files", () => {
  it("reports a device listed both in devices and in devicesCsv, and duplicate CSV rows, at their lines", () => {
    const dir = fixtureDir({
      "fleet.yaml": lines("devicesCsv: devices.csv", "pacsCsv: pacs.csv", "devices:", '  - deviceId: "1A2B3C01"'),
      "devices.csv": lines("device_id,pac", `1a2b3c01,${PAC1}`, `BEEF,${PAC2}`, `0000beef,${PAC2}`),
      "pacs.csv": lines("device_id,pac", `1A2B3C01,${PAC1}`, `1A2B3C01,${PAC3}`),
    });
    const error = expectFleetError(() => loadFleetDefinition(path.join(dir, "fleet.yaml"), { env: noEnv, cwd: dir }));
    const printed = issueLines(error.message);
    expect(printed).toEqual([
      expect.stringMatching(
        /^devices\.csv:2 column device_id: device 1a2b3c01 is listed more than once: already at fleet\.yaml:4 .*Fix: list each device once, either in devices or in a devicesCsv file/,
      ),
      expect.stringMatching(/^devices\.csv:4 column device_id: device 0000beef is listed more than once: already at devices\.csv:3 \(as BEEF\)/),
      expect.stringMatching(/^pacs\.csv:3 column device_id: device 1A2B3C01 has more than one PAC row: already at pacs\.csv:2\. Fix: /),
    ]);
  });

  it("reports bad CSV headers, cells and field counts with line and column, and a missing CSV at the line naming it", () => {
    const dir = fixtureDir({
      "fleet.yaml": lines("devices: []", "devicesCsv:", "  - a.csv", "  - missing.csv", "pacsCsv: b.csv"),
      "a.csv": lines("device_id,pac,tag:site,group_id", `ZZZ,${PAC1},x,`, `1A2B3C02,${PAC2},y,not-a-group`, "1A2B3C03,,z,,extra", ",,,"),
      "b.csv": lines("device_id,pac,serial"),
    });
    const error = expectFleetError(() => loadFleetDefinition(path.join(dir, "fleet.yaml"), { env: noEnv, cwd: dir }));
    const printed = issueLines(error.message);
    expect(printed).toEqual([
      expect.stringMatching(/^fleet\.yaml:4:5 devicesCsv\[1\]: cannot read missing\.csv \(ENOENT\)\. Fix: check the path/),
      expect.stringMatching(/^a\.csv:2 column device_id: "ZZZ" is not a Sigfox device ID\./),
      expect.stringMatching(/^a\.csv:3 column group_id: "not-a-group" is not a Soracom group ID\./),
      expect.stringMatching(/^a\.csv:4 has 5 fields but the header has 4\./),
      expect.stringMatching(/^b\.csv:1 column 3: unknown column "serial"\. Fix: remove the column/),
    ]);
  });

  it("reports a YAML syntax error with its line, without quoting the line", () => {
    const dir = fixtureDir({ "fleet.yaml": lines("devices:", '  - deviceId: "1A2B3C01"', `    pac: "${PAC1}`, "    tags: {a: b") });
    const error = expectFleetError(() => loadFleetDefinition(path.join(dir, "fleet.yaml"), { env: noEnv, cwd: dir }));
    expect(error.issues.length).toBeGreaterThan(0);
    expect(error.issues[0]?.line).toBeGreaterThanOrEqual(3);
    expect(error.message).toMatch(/fleet\.yaml:\d+:\d+ YAML syntax error/);
    expect(error.message).not.toContain(PAC1);
  });

  it("reports an unreadable fleet file, an empty one, and one without devices", () => {
    const dir = fixtureDir({ "empty.yaml": "# nothing\n", "nodevices.yaml": lines("defaults:", "  tags: {a: b}") });
    expect(expectFleetError(() => loadFleetDefinition(path.join(dir, "nope.yaml"), { env: noEnv, cwd: dir })).message).toContain(
      "nope.yaml cannot be read (ENOENT)",
    );
    expect(expectFleetError(() => loadFleetDefinition(path.join(dir, "empty.yaml"), { env: noEnv, cwd: dir })).message).toContain("the file is empty");
    expect(expectFleetError(() => loadFleetDefinition(path.join(dir, "nodevices.yaml"), { env: noEnv, cwd: dir })).message).toMatch(
      /the fleet lists no devices.*write devices: \[\] explicitly/,
    );
  });

  it("reports PAC source problems: both pac and pacFrom, an unset pacFrom source, malformed PACs from config and env", () => {
    const dir = fixtureDir({
      "fleet.yaml": lines(
        "devices:",
        `  - {deviceId: "01", pac: "${PAC1}", pacFrom: {env: X}}`,
        '  - {deviceId: "02", pacFrom: {env: UNSET_PAC}}',
        '  - {deviceId: "03", pacFrom: {config: unset-key}}',
        '  - {deviceId: "04", pacFrom: {env: A, config: b}}',
        '  - {deviceId: "05"}',
        '  - {deviceId: "06"}',
      ),
    });
    const secretLookalike = "0123456789ABCDEX"; // 16 characters, not hex: the value must still not appear
    const error = expectFleetError(() =>
      loadFleetDefinition(path.join(dir, "fleet.yaml"), {
        env: { SORACOM_PAC_06: secretLookalike, X: PAC2 },
        config: { "pac-05": "short", pacs: "not json" },
        cwd: dir,
      }),
    );
    const printed = issueLines(error.message).join("\n");
    expect(printed).toContain("fleet.yaml:2 devices[0]: has both pac and pacFrom.");
    expect(printed).toContain("fleet.yaml:3 devices[1].pacFrom.env: the environment variable UNSET_PAC named as the PAC source of device 02 is not set.");
    expect(printed).toContain("fleet.yaml:4 devices[2].pacFrom.config: the Pulumi config key unset-key named as the PAC source of device 03 is not set.");
    expect(printed).toMatch(/fleet\.yaml:5:\d+ devices\[3\]\.pacFrom: names no source or both sources/);
    expect(printed).toContain("Pulumi config pacs: is not an object of PACs by device ID (value not shown).");
    expect(printed).toContain("fleet.yaml:6 devices[4]: the PAC of device 05 from config pac-05 is not a PAC");
    expect(printed).toContain("fleet.yaml:7 devices[5]: the PAC of device 06 from env SORACOM_PAC_06 is not a PAC");
    for (const secret of [secretLookalike, "short", PAC1, PAC2]) expect(error.message).not.toContain(secret);
    expect(JSON.stringify(error.issues)).not.toContain(secretLookalike);
  });

  it("never echoes a PAC: malformed inline PACs, PAC cells, and a PAC typed as a device ID", () => {
    const almost = "0123456789ABCDE"; // 15 hex characters
    const dir = fixtureDir({
      "fleet.yaml": lines(
        "devicesCsv: d.csv",
        "devices:",
        `  - {deviceId: "01", pac: "${almost}"}`,
        `  - {deviceId: "${PAC1}", pac: "${PAC2}"}`,
        "  - {deviceId: '02', pac: 1234567890123456}",
      ),
      "d.csv": lines("pac,device_id", `1A2B3C01,${PAC3}`, `${almost},1A2B3C02`),
    });
    const error = expectFleetError(() => loadFleetDefinition(path.join(dir, "fleet.yaml"), { env: noEnv, cwd: dir }));
    for (const secret of [almost, PAC1, PAC2, PAC3, "1234567890123456"]) {
      expect(error.message).not.toContain(secret);
      expect(JSON.stringify(error.issues)).not.toContain(secret);
    }
    const printed = issueLines(error.message).join("\n");
    expect(printed).toContain("devices[0].pac: is a string (value not shown), which is not a PAC");
    expect(printed).toContain("devices[1].deviceId: is the value (not shown: it looks like a PAC)");
    expect(printed).toContain("devices[2].pac: is a number, which is not a PAC");
    expect(printed).toMatch(/d\.csv:2 column device_id: the value \(not shown: it looks like a PAC\) is not a Sigfox device ID.*are the columns swapped/);
    expect(printed).toContain("d.csv:3 column pac: is not a PAC (value not shown).");
  });
});

describe("odd values", () => {
  it("names the problem precisely for empty tag names, empty lists, bad versions and bad pacFrom names, once each", () => {
    const dir = fixtureDir({
      "fleet.yaml": lines("version: 2", "devicesCsv: []", "devices:", "  - 42", '  - deviceId: "AB"', '    tags: {"": x}', '    pacFrom: {env: "1BAD"}'),
    });
    const error = expectFleetError(() => loadFleetDefinition(path.join(dir, "fleet.yaml"), { env: noEnv, cwd: dir }));
    expect(issueLines(error.message)).toEqual([
      expect.stringMatching(/^fleet\.yaml:1:10 version: is the number 2; the only version is 1\. Fix: /),
      expect.stringMatching(/^fleet\.yaml:2:13 devicesCsv: is an empty list, which is not a CSV file path/),
      expect.stringMatching(/^fleet\.yaml:4:5 devices\[0\]: is the number 42, which is not a device/),
      expect.stringMatching(
        /^fleet\.yaml:6:\d+ devices\[1\]\.tags: the tag name "" is not valid: tag names are 1 to 128 characters, and not "\." or "\.\."\. Fix: /,
      ),
      expect.stringMatching(/^fleet\.yaml:7:\d+ devices\[1\]\.pacFrom\.env: is "1BAD", which is not an environment variable name\. Fix: /),
    ]);
  });
});

describe("tag limits", () => {
  it('rejects the tag names "." and ".." (which the provider refuses: they could never be removed), at their lines', () => {
    const dir = fixtureDir({
      "fleet.yaml": lines("devicesCsv: devices.csv", "devices:", `  - deviceId: "AB"`, `    pac: "${PAC1}"`, '    tags: {"..": x}'),
      "devices.csv": lines("device_id,pac,tag:.", `AC,${PAC1},x`),
    });
    const error = expectFleetError(() => loadFleetDefinition(path.join(dir, "fleet.yaml"), { env: noEnv, cwd: dir }));
    const found = issueLines(error.message);
    expect(found).toContainEqual(expect.stringMatching(/^fleet\.yaml:5:\d+ devices\[0\]\.tags: the tag name "\.\." is not valid: .*not "\." or "\.\."/));
    expect(found).toContainEqual(expect.stringMatching(/^devices\.csv:1 column 3: unknown column "tag:\."/));
  });

  it("rejects empty and over-long tag values with the provider's limits, at their lines", () => {
    const dir = fixtureDir({
      "fleet.yaml": lines("defaults:", '  tags: {site: ""}', "devices:", `  - {deviceId: "AB", pac: "${PAC1}", tags: {note: "${"x".repeat(1025)}"}}`),
    });
    const error = expectFleetError(() => loadFleetDefinition(path.join(dir, "fleet.yaml"), { env: noEnv, cwd: dir }));
    expect(issueLines(error.message)).toEqual([
      expect.stringMatching(/^fleet\.yaml:2:\d+ defaults\.tags\.site: is "", which is not a tag value \(a string of 1 to 1024 characters\)/),
      expect.stringMatching(/^fleet\.yaml:4:\d+ devices\[0\]\.tags\.note: is "x{37}\.\.\.", which is not a tag value/),
    ]);
  });

  it("uses the same limits as the provider", () => {
    expect([MAX_TAG_NAME_LENGTH, MAX_TAG_VALUE_LENGTH]).toEqual([provider.MAX_TAG_NAME_LENGTH, provider.MAX_TAG_VALUE_LENGTH]);
  });
});
