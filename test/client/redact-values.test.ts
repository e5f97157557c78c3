/**
 * `redactValues`: the one value scrubber behind the client's `redact` (exact, with the registry and
 * the field patterns) and the provider's `scrub` (only the device's own secrets, case-insensitive).
 */
import { describe, expect, it } from "vitest";
import { redact, redactValues } from "../../src/client";
import { scrub } from "../../src/provider/errors";

const PAC = "0a1b2c3d4e5f6a7b";

describe("redactValues", () => {
  it("replaces exactly the given values, and nothing that only looks secret", () => {
    expect(redactValues(`pac ${PAC}, authKey: x`, [PAC])).toBe("pac [REDACTED], authKey: x");
    expect(redactValues(`${PAC.toUpperCase()}`, [PAC])).toBe(PAC.toUpperCase());
  });

  it("with ignoreCase, removes a value written in the other case (a PAC echoed in upper case)", () => {
    expect(redactValues(`got ${PAC.toUpperCase()} and ${PAC}`, [PAC], { ignoreCase: true })).toBe("got [REDACTED] and [REDACTED]");
  });

  it("removes the longest value first, ignores values shorter than 4 characters and treats values as text, not patterns", () => {
    expect(redactValues("key abcdefgh", ["abcd", "abcdefgh"])).toBe("key [REDACTED]");
    expect(redactValues("id abc", ["abc", undefined, null])).toBe("id abc");
    expect(redactValues("a.b*c+d and axbxcxd", ["a.b*c+d"], { ignoreCase: true })).toBe("[REDACTED] and axbxcxd");
  });

  it("is what redact and the provider's scrub use: redact is exact, scrub is case-insensitive", () => {
    expect(redact(`echo ${PAC.toUpperCase()}`, [PAC])).toBe(`echo ${PAC.toUpperCase()}`);
    expect(scrub(`echo ${PAC.toUpperCase()}`, [PAC])).toBe("echo [REDACTED]");
  });
});
