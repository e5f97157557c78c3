/**
 * The fleet's front door: fleet definition files (loading, validation, PAC resolution), emulator
 * seeds, fleets written from listed devices, shard assignment. See docs/fleet.md.
 *
 * Code outside src/fleet imports the fleet from here only (a house rule, test/unit/house-rules.test.ts);
 * tests may import its modules by path.
 */
export { loadFleetDefinition } from "./load";
export type { AdoptOnlyFleetDevice, FleetDevice, FleetDeviceSettings, FleetDeviceWithPac, LoadedFleet, LoadFleetOptions } from "./load";
export type { DeviceOrigin } from "./candidates";
export { displayPath, expandEnvInPath, resolveUserPath } from "./paths";
export { FleetDefinitionError, formatIssue } from "./issues";
export type { FleetIssue } from "./issues";
export { Pac, PACS_CONFIG_KEY, pacConfigKey, pacEnvName } from "./pac";
export type { PacConfig, PacEnv, PacSource, PacSourceKind } from "./pac";
export { canonicalDeviceId, deviceResourceName } from "./device-id";
export { FleetFileSchema, FLEET_FORMAT_VERSION } from "./schema";
export type { FleetDefaults, FleetDeviceEntry, FleetFile, PacFrom } from "./schema";
export { fleetSeed, sampleFleetSeed } from "./seed";
export type { FleetSeed } from "./seed";
export { SAMPLE_FLEET_FILE } from "../package-paths";
export { fleetFromDevices, roundTripMismatches, declaredStateOf, compareDeviceIds } from "./from-devices";
export type { DeclaredState, FleetFromDevicesOptions, ImportedFleetText } from "./from-devices";
export {
  formatShardSpec,
  inShard,
  parseShardSpec,
  shardOfDevice,
  ShardSpecError,
  MAX_SHARD_COUNT,
  SHARD_CONFIG_KEY,
  SHARD_CONFIG_NAME,
  SHARD_CONFIG_NAMESPACE,
} from "./shard";
export type { ShardSpec } from "./shard";
