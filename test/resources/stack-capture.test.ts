/**
 * What the SDK records of the JavaScript stack while a SigfoxDevice registers (src/resources/stack-capture.ts):
 * the real SDK functions that capture stacks (`Resource.callsites`, `debuggablePromise`), with and
 * without the lean formatter, and the frame choice on synthetic call sites.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterEach, describe, expect, it } from "vitest";
import { leanStackCapture, positionFrames, PROMISE_STACK_NOT_RECORDED } from "../../src/resources/stack-capture";
import { repoRoot } from "../helpers/engine";

// The SDK's internals that capture stacks, as the SDK itself calls them.
const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise<T>(p: Promise<T>, ctx: unknown): Promise<T> };
const callsites = (): unknown[] => (pulumi.Resource as unknown as { callsites(): unknown[] }).callsites();

const SDK = path.join(repoRoot, "node_modules", "@pulumi", "pulumi");
const site = (file: string, fn: string | null, isConstructor = false) =>
  ({
    getFileName: () => file,
    getFunctionName: () => fn,
    isConstructor: () => isConstructor,
    toString: () => `${fn} (${file}:1:1)`,
  }) as unknown as NodeJS.CallSite;
const sdkFrames = [site(`${SDK}/resource.js`, "callsites"), site(`${SDK}/resource.js`, "stackTrace"), site(`${SDK}/resource.js`, "Resource", true)];

let restore: (() => void) | undefined;
afterEach(() => {
  restore?.();
  restore = undefined;
});

describe("positionFrames", () => {
  it("keeps the SDK's frames on top and the first frame of the user's program", () => {
    const program = site("/home/me/infra/index.js", "main");
    const frames = positionFrames([
      ...sdkFrames,
      site(path.join(repoRoot, "dist/resources/sigfox-device.js"), "SigfoxDevice", true),
      program,
      site("/home/me/infra/node_modules/@pulumi/pulumi/runtime/stack.js", "runInPulumiStack"),
      site("node:internal/process/task_queues", "processTicksAndRejections"),
    ]);
    expect(frames).toEqual([...sdkFrames, program]);
  });

  it("records no position for a fleet's device: its fleet records where the program declared it", () => {
    const frames = positionFrames([
      ...sdkFrames,
      site(path.join(repoRoot, "dist/resources/sigfox-device.js"), "SigfoxDevice", true),
      site(path.join(repoRoot, "dist/resources/sigfox-fleet.js"), "SigfoxFleet", true),
      site("/home/me/infra/index.js", "main"),
    ]);
    expect(frames).toEqual(sdkFrames);
  });

  it("records no position when no program code declared the device (the default program deploying a fleet file)", () => {
    const frames = positionFrames([
      ...sdkFrames,
      site(path.join(repoRoot, "dist/resources/sigfox-device.js"), "SigfoxDevice", true),
      site(path.join(repoRoot, "dist/program/index.js"), null),
      site(`${SDK}/cmd/run/run.js`, "runProgram"),
    ]);
    expect(frames).toEqual(sdkFrames);
  });
});

describe("leanStackCapture, around the SDK's own stack captures", () => {
  it("gives the SDK's resource-position probe only its own frames when the caller is this package", () => {
    const full = callsites();
    restore = leanStackCapture({});
    const lean = callsites();
    restore();
    restore = undefined;
    expect(full.length).toBeGreaterThan(3);
    expect(lean).toHaveLength(1); // Resource.callsites itself, which the SDK skips
  });

  it("replaces a promise's stack by one constant line, unless PULUMI_DEBUG_PROMISE_LEAKS is set", () => {
    const stackOf = (p: Promise<unknown>) => (p as unknown as { _debugStackTrace: string })._debugStackTrace;
    restore = leanStackCapture({});
    // The SDK records the stack on the promise it is given (and returns a chained one).
    const lean = Promise.resolve(1);
    void debuggable.debuggablePromise(lean, "lean");
    restore();
    restore = leanStackCapture({ PULUMI_DEBUG_PROMISE_LEAKS: "1" });
    const debugging = Promise.resolve(2);
    void debuggable.debuggablePromise(debugging, "debugging");
    restore();
    restore = undefined;
    expect(stackOf(lean)).toBe(PROMISE_STACK_NOT_RECORDED);
    expect(stackOf(debugging)).toContain("debuggablePromise");
    expect(stackOf(debugging)).toContain("stack-capture.test");
  });

  it("formats every other stack exactly as before", () => {
    const before = Error.prepareStackTrace;
    const withoutLean = (() => new Error("boom").stack)();
    restore = leanStackCapture({});
    const withLean = (() => new Error("boom").stack)();
    restore();
    restore = undefined;
    expect(Error.prepareStackTrace).toBe(before);
    // Same message and the same frames (only the column of the arrow differs: compare the files).
    const files = (s: string | undefined) => (s ?? "").split("\n").map((l) => l.replace(/:\d+:\d+\)?$/, ""));
    expect(files(withLean)).toEqual(files(withoutLean));
    expect(withLean).toContain("Error: boom");
  });

  it("leaves a formatter the program installed meanwhile in place", () => {
    const before = Error.prepareStackTrace;
    const mine = () => "mine";
    restore = leanStackCapture({});
    Error.prepareStackTrace = mine;
    restore();
    restore = undefined;
    expect(Error.prepareStackTrace).toBe(mine);
    Error.prepareStackTrace = before;
  });
});
