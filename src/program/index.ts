/**
 * Entry point of the root `Pulumi.yaml` project: deploys `fleet.yaml` (or config `fleet:file`, or
 * `SORACOM_FLEET_FILE`) and exports the per-device summary. See fleet-program.ts.
 */
import { fleetProgram } from "./fleet-program";

const outputs = fleetProgram();

export const fleetFile = outputs.fleetFile;
export const deviceCount = outputs.deviceCount;
export const shard = outputs.shard;
export const devices = outputs.devices;
