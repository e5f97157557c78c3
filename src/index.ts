/**
 * pulumi-soracom-sigfox: Soracom Air for Sigfox devices as Pulumi resources, a typed Soracom API
 * client, and an embedded emulator of the Soracom Sigfox API.
 *
 * Entries: `.` (this file), `./provider` (the implementation the serialized shim requires: keep its
 * exported names stable forever), `./client`, `./emulator`.
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

// The emulator
export * from "./emulator";

// Automation API plumbing (local stacks on the pinned CLI)
export { openLocalStack, engineEnv, pulumiCliDir, pulumiCommand } from "./engine/workspace";
export type { LocalStackOptions } from "./engine/workspace";
