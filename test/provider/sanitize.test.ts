import { describe, expect, it } from "vitest";
import { toJsonClean, toJsonObject } from "../../src/provider/sanitize";

describe("toJsonClean", () => {
  it("drops undefined keys at every depth and keeps array positions as null", () => {
    expect(toJsonClean({ a: undefined, b: { c: undefined, d: 1 }, e: [1, undefined, { f: undefined }] })).toEqual({ b: { d: 1 }, e: [1, null, {}] });
  });

  it("turns dates into ISO strings, bigints into strings, non-finite numbers into null", () => {
    const d = new Date("2026-01-02T03:04:05.000Z");
    expect(toJsonClean({ d, n: 10n, x: NaN, y: Infinity, bad: new Date("nope") })).toEqual({
      d: "2026-01-02T03:04:05.000Z",
      n: "10",
      x: null,
      y: null,
      bad: null,
    });
  });

  it("drops functions and symbols, cuts cycles", () => {
    const o: Record<string, unknown> = { f: () => 1, s: Symbol("x"), ok: true };
    o.self = o;
    expect(toJsonClean(o)).toEqual({ ok: true, self: null });
  });

  it("the result survives a JSON round trip unchanged", () => {
    const v = toJsonObject({ a: { b: [1, "2", null, { c: new Date(0) }] }, u: undefined });
    expect(JSON.parse(JSON.stringify(v))).toEqual(v);
  });
});
