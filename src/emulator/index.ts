/**
 * Public entry of the Soracom Sigfox API emulator (`pulumi-soracom-sigfox/emulator`).
 *
 *   const emu = await startEmulator();
 *   // point a client at emu.url with emu.credentials; drive the world with emu.control
 *   await emu.close();
 */
export { emulatorClientEnv, startEmulator, DEFAULT_OPERATOR } from "./server";
export type { EmulatorOptions, EmulatorCredentials, RunningEmulator } from "./server";
export { EmulatorControl, EmulatorControlError } from "./control-client";
export type { UplinkResponse, ClockSnapshot } from "./control-client";
export { Clock } from "./clock";
export { ERRORS as EMULATOR_ERRORS } from "./errors";
export {
  SeedRequest,
  SeedDevice,
  SeedOperator,
  SeedGroup,
  DevicePatch,
  UplinkRequest,
  FaultRequest,
  RateLimitConfig,
  ClockAdvanceRequest,
} from "./control/schemas";
export type { ActiveFault } from "./control/faults";
export type { RequestLogEntry } from "./control/request-log";
export type { SeedResult } from "./model/control";
export type { StateDump } from "./http/state-dump";
export { loadSeedFile } from "./seed-file";
