import type { EngineEvent } from "@pulumi/pulumi/automation";
import { describe, expect, it } from "vitest";
import { driftFromEvents } from "../../src/demo/report";

/** A refresh step's outputs event as the engine sends it: stored inputs (old) vs the inputs `read` rebuilt (new). */
function refreshEvent(oldInputs: Record<string, unknown>, newInputs: Record<string, unknown>): EngineEvent {
  return {
    sequence: 1,
    timestamp: 0,
    resOutputsEvent: {
      metadata: {
        op: "update",
        urn: "urn:pulumi:dev::p::soracom:index:SigfoxFleet$pulumi-nodejs:dynamic/soracom:SigfoxDevice::1A2B3C01",
        type: "pulumi-nodejs:dynamic/soracom:SigfoxDevice",
        old: { inputs: oldInputs },
        new: { inputs: newInputs },
      },
    },
  } as unknown as EngineEvent;
}

describe("driftFromEvents (demo)", () => {
  it("names the drifted fields, never the PAC, which refreshed inputs never hold", () => {
    const stored = { deviceId: "1A2B3C01", registrationSecret: "[secret]", tags: { site: "tokyo" }, groupId: "g", __provider: "x" };
    const refreshed = { deviceId: "1A2B3C01", tags: { site: "moved" }, __provider: "x" };
    expect(driftFromEvents([refreshEvent(stored, refreshed)])).toEqual([{ device: "1A2B3C01", fields: ["groupId", "tags"] }]);
  });
});
