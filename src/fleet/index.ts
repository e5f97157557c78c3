/** Fleet definition files: loading, validation and PAC resolution. See docs/fleet.md. */
export { expandEnvInPath, loadFleetDefinition, resolveUserPath } from "./load";
export type { AdoptOnlyFleetDevice, DeviceOrigin, FleetDevice, FleetDeviceSettings, FleetDeviceWithPac, LoadedFleet, LoadFleetOptions } from "./load";
export { FleetDefinitionError, formatIssue } from "./issues";
export type { FleetIssue } from "./issues";
export { Pac, PACS_CONFIG_KEY, pacConfigKey, pacEnvName } from "./pac";
export type { PacConfig, PacEnv, PacSource, PacSourceKind } from "./pac";
export { canonicalDeviceId, deviceResourceName } from "./device-id";
export { FleetFileSchema, FLEET_FORMAT_VERSION } from "./schema";
export type { FleetDefaults, FleetDeviceEntry, FleetFile, PacFrom } from "./schema";
export { fleetSeed, sampleFleetSeed, SAMPLE_FLEET_FILE } from "./seed";
export type { FleetSeed } from "./seed";
export { fleetFromDevices, roundTripMismatches, declaredStateOf, compareDeviceIds } from "./from-devices";
export type { DeclaredState, FleetFromDevicesOptions, ImportedFleetText } from "./from-devices";
export { formatShardSpec, inShard, parseShardSpec, shardOfDevice, ShardSpecError, SHARD_CONFIG_NAME } from "./shard";
export type { ShardSpec } from "./shard";
