/**
 * pulumi-soracom-sigfox: Soracom Air for Sigfox devices as Pulumi resources and a typed Soracom API
 * client.
 *
 * Entries: `.` (this file), `./provider` (the implementation the serialized shim requires: keep its
 * exported names stable forever), `./client`, `./emulator`.
 *
 * Every Pulumi program loads this entry, so it stays narrow: the emulator (hono, an HTTP server) is
 * only at `pulumi-soracom-sigfox/emulator`, and the repository's plumbing (src/engine, src/cli,
 * src/demo, and the benchmarks in bench/) is not reachable from here. test/unit/entries.test.ts checks what it loads.
 */

// Resources
export { SigfoxDevice } from "./resources/sigfox-device";
export type { SigfoxDeviceArgs, SigfoxDeviceLastSeen } from "./resources/sigfox-device";
export { SigfoxFleet, SIGFOX_FLEET_TYPE } from "./resources/sigfox-fleet";
export type { SigfoxFleetArgs, FleetDeviceSummary } from "./resources/sigfox-fleet";

// Fleet definitions and the default program
export * from "./fleet";
export { fleetProgram, resolveFleetFile, FLEET_FILE_ENV } from "./program/fleet-program";
export type { FleetProgramOptions, FleetProgramOutputs } from "./program/fleet-program";

// The API client
export * from "./client";
