/**
 * Emulator seeds from fleet definitions: the device/PAC pairs (and groups) the emulator must know
 * for a fleet to be registrable. The demo seeds the emulator with `sampleFleetSeed()`, i.e. exactly
 * the devices of the repository's `fleet.yaml` and the sample PACs of `fleet-pacs.csv`.
 *
 * The shape is the one `POST /_emulator/seed` and `startEmulator({seed})` accept.
 */
import { SAMPLE_FLEET_FILE } from "../package-paths";
import { loadFleetDefinition, type LoadedFleet, type LoadFleetOptions } from "./load";

export interface FleetSeed {
  devices: { deviceId: string; pac: string }[];
  groups: { groupId: string; name: string }[];
}

/**
 * Network devices (ID + PAC) and groups an emulator needs to host `fleet`. Reveals the PACs.
 * Adopt-only devices are left out: they have no PAC here and must already be in the account.
 */
export function fleetSeed(fleet: LoadedFleet): FleetSeed {
  const groupIds = [...new Set(fleet.devices.flatMap((d) => (d.groupId !== undefined ? [d.groupId] : [])))];
  return {
    // Adopt-only devices are never registered by the fleet: they must already be in the account.
    devices: fleet.devices.flatMap((d) => (d.adoptOnly ? [] : [{ deviceId: d.deviceId, pac: d.pac.reveal() }])),
    groups: groupIds.map((groupId, i) => ({ groupId, name: `fleet-group-${i + 1}` })),
  };
}

/**
 * The seed for the repository's sample fleet (`fleet.yaml` + `fleet-pacs.csv`). The PACs are the
 * committed, emulator-only sample PACs; the environment and Pulumi config are ignored here.
 */
export function sampleFleetSeed(file: string = SAMPLE_FLEET_FILE, options: Omit<LoadFleetOptions, "env" | "config"> = {}): FleetSeed {
  return fleetSeed(loadFleetDefinition(file, { ...options, env: {} }));
}
