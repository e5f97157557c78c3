/**
 * Synthetic fleets for the benchmarks: N device/PAC pairs (deterministic), the emulator seed that
 * puts them in the network registry, and a fleet definition object (docs/fleet.md) that declares them.
 */
import type { FleetFile } from "#src/fleet/index";

export interface BenchDevice {
  deviceId: string;
  pac: string;
}

/** `count` devices with 8-hex-digit IDs `B0000000`, `B0000001`, ... and 16-hex-digit PACs. */
export function benchDevices(count: number, prefix = "B"): BenchDevice[] {
  return Array.from({ length: count }, (_, i) => ({
    deviceId: `${prefix}${i.toString(16).toUpperCase().padStart(7, "0")}`,
    pac: `AC${((i * 2654435761) >>> 0).toString(16).toUpperCase().padStart(8, "0")}${i.toString(16).toUpperCase().padStart(6, "0")}`,
  }));
}

/** Seed for `startEmulator({seed})`: the devices in the network registry, not yet registered. */
export function networkSeed(devices: BenchDevice[]): { devices: { deviceId: string; pac: string }[] } {
  return { devices: devices.map((d) => ({ deviceId: d.deviceId, pac: d.pac })) };
}

/** Seed with the devices already registered to the emulator's default operator (client benchmarks). */
export function ownedSeed(devices: BenchDevice[], operatorId: string) {
  return {
    devices: devices.map((d, i) => ({
      deviceId: d.deviceId,
      pac: d.pac,
      ownerOperatorId: operatorId,
      status: "ready" as const,
      tags: { site: `site-${i % 10}`, rev: "1" },
    })),
  };
}

/**
 * A fleet definition for the devices: shared default tags (`rev` is the one the "change one tag on
 * every device" step bumps), a per-device tag, inline PACs (fine for an emulator-only bench; real
 * fleets keep PACs out of the file), and `terminationEnabled: true` so that `destroy` terminates.
 */
export function fleetDefinition(devices: BenchDevice[], rev: string, terminationEnabled = true): FleetFile {
  return {
    version: 1,
    defaults: { tags: { project: "bench", rev }, terminationEnabled },
    devices: devices.map((d, i) => ({ deviceId: d.deviceId, pac: d.pac, tags: { site: `site-${i % 10}` } })),
  };
}
