/**
 * The Pulumi program of the scale scenario (bench/src/scenario-scale.ts), run by the Pulumi CLI as
 * its own process (the way `pulumi up` runs a user's program), so its memory is measured alone.
 *
 * SCALE_VARIANT:
 * - `fleet`: the default program (`fleetProgram()`: SigfoxFleet over the fleet file, with its
 *   per-device summary output), exactly what `soracom-sigfox fleet up` deploys;
 * - `noop`: the same fleet file, each device a dynamic resource whose provider does nothing (the
 *   floor any dynamic resource costs: same inputs, outputs = inputs), under one component.
 * At exit it writes its own peak resident memory and peak V8 heap to SCALE_MEMORY_OUT.
 */
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { loadFleetDefinition } from "#src/fleet/index";
import { fleetProgram, resolveFleetFile } from "#src/program/fleet-program";

let peakHeap = 0;
const heapTimer = setInterval(() => {
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
}, 100);
heapTimer.unref();
const memoryOut = process.env.SCALE_MEMORY_OUT;
if (memoryOut) {
  process.on("exit", () => {
    fs.writeFileSync(memoryOut, JSON.stringify({ peakRssKiB: process.resourceUsage().maxRSS, peakHeapBytes: peakHeap }));
  });
}

const noopProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    return { id: String(inputs.deviceId), outs: { ...inputs, status: "ready" } };
  },
};

class NoopDevice extends pulumi.dynamic.Resource {
  constructor(name: string, props: Record<string, unknown>, opts: pulumi.CustomResourceOptions) {
    super(noopProvider, name, { ...props, status: undefined }, opts, "bench", "NoopDevice");
  }
}

class NoopFleet extends pulumi.ComponentResource {
  constructor() {
    super("bench:index:NoopFleet", "fleet", {});
  }
  done(): void {
    this.registerOutputs({});
  }
}

function noopFleet(): { deviceCount: number } {
  const definition = loadFleetDefinition(resolveFleetFile(), { config: { get: () => undefined } });
  const parent = new NoopFleet();
  for (const device of definition.devices) {
    new NoopDevice(
      device.resourceName,
      {
        deviceId: device.deviceId,
        ...(device.adoptOnly ? {} : { registrationSecret: pulumi.secret(device.pac.reveal()) }),
        tags: device.tags,
        ...(device.terminationEnabled !== undefined ? { terminationEnabled: device.terminationEnabled } : {}),
      },
      { parent },
    );
  }
  parent.done();
  return { deviceCount: definition.devices.length };
}

const outputs = process.env.SCALE_VARIANT === "noop" ? noopFleet() : fleetProgram();
export const deviceCount = outputs.deviceCount;
export const devices = "devices" in outputs ? outputs.devices : undefined;
