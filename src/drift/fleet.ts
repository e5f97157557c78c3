/**
 * Expected state from a fleet file: each device's declared tags, group and termination flag, through
 * the fleet loader (the one home of the format's rules), without Pulumi.
 *
 * Drift needs no PAC, but the loader resolves one per device: it is given a Pulumi config that
 * answers every PAC key (`pac-<id>`, a `pacFrom.config` key) with a placeholder, so a device whose
 * PAC lives in a stack's secret config is still read. The placeholder never leaves this module.
 */
import { FleetDefinitionError, formatIssue, loadFleetDefinition, PACS_CONFIG_KEY } from "../fleet";
import { ExpectedStateError, type ExpectedDevice } from "./expected";

const PLACEHOLDER_PAC = "0000000000000000";

export interface FleetFileOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export function readFleetFile(file: string, options: FleetFileOptions): ExpectedDevice[] {
  const config = { get: (key: string) => (key === PACS_CONFIG_KEY ? undefined : PLACEHOLDER_PAC) };
  let fleet;
  try {
    fleet = loadFleetDefinition(file, { env: options.env, cwd: options.cwd, config, missingPacs: "warning" });
  } catch (error) {
    if (error instanceof FleetDefinitionError) throw new ExpectedStateError(error.message);
    throw error;
  }
  // Left: devices whose `pacFrom: {env: NAME}` is not set here. Their declared state cannot be read
  // without the loader's PAC; say which and how, rather than silently dropping them.
  if (fleet.devicesWithoutPac.length > 0) {
    const details = fleet.warnings.filter((w) => /not set/.test(w.message)).map((w) => formatIssue(w, options.cwd));
    throw new ExpectedStateError(
      `${file}: ${fleet.devicesWithoutPac.length} device(s) name an environment variable as their PAC source that is not set here: ${fleet.devicesWithoutPac.join(", ")}. ` +
        `Fix: set those variables to any 16 hex characters (drift never uses a PAC), or compare with the stack (--stack NAME).\n  ${details.join("\n  ")}`,
    );
  }
  // The loader's warnings (a PAC written in the file) are about deploying, not about drift: dropped.
  return fleet.devices.map((d) => ({
    deviceId: d.deviceId,
    stack: file,
    tags: d.tags,
    ...(d.groupId !== undefined ? { groupId: d.groupId } : {}),
    // Absent in the file: the provider's default, protected.
    terminationEnabled: d.terminationEnabled === true,
  }));
}
