/**
 * The devices a data-plane command (`data export`, `downlink send`) acts on: the account selection
 * flags of src/selection (listed with the list API), or an explicit set, `--fleet FILE` (the devices
 * a fleet file declares) or `--devices ID,ID,...`. The three kinds are mutually exclusive.
 *
 * An explicit set is not checked against the account: a device that is not the operator's fails on
 * its own call (`not_found`) and is reported as that device's failure, without an extra listing.
 */
import { DEVICE_ID_PATTERN } from "../api/formats";
import { canonicalDeviceId, FleetDefinitionError, loadFleetDefinition } from "../fleet";
import {
  parseSelectionFlags,
  selectDevices,
  SELECTION_HELP,
  SELECTION_OPTIONS,
  SelectionUsageError,
  type DeviceLister,
  type DeviceSelection,
  type SelectionFlagValues,
} from "../selection";

/** `node:util` parseArgs options of the target flags. */
export const TARGET_OPTIONS = {
  ...SELECTION_OPTIONS,
  fleet: { type: "string" },
  devices: { type: "string" },
} as const;

export const TARGET_HELP = `${SELECTION_HELP}
  --fleet FILE              instead: the devices declared in this fleet file (PACs not needed)
  --devices ID,ID,...       instead: these device IDs
  (--fleet, --devices and the selection flags above exclude each other)`;

export type TargetFlagValues = SelectionFlagValues & { fleet?: string | undefined; devices?: string | undefined };

/** What the flags asked for. */
export type DeviceTargets = { kind: "selection"; selection: DeviceSelection } | { kind: "fleet"; file: string } | { kind: "devices"; deviceIds: string[] };

/** A bad target flag: names the flag and the fix. Commands exit 2 on it. */
export class TargetUsageError extends Error {
  override name = "TargetUsageError";
}

/** Parses the target flags. Throws {@link TargetUsageError} (before any API call). */
export function parseTargetFlags(values: TargetFlagValues): DeviceTargets {
  const selectionFlags = (["tag", "tag-prefix", "group", "status"] as const).filter((f) => values[f] !== undefined).map((f) => `--${f}`);
  const explicit = (["fleet", "devices"] as const).filter((f) => values[f] !== undefined).map((f) => `--${f}`);
  if (explicit.length > 1 || (explicit.length === 1 && selectionFlags.length > 0)) {
    const all = [...explicit, ...selectionFlags];
    throw new TargetUsageError(
      `${all.join(" and ")} exclude each other: choose devices with --fleet FILE, with --devices ID,ID,... or with the selection flags (--tag, --tag-prefix, --group, --status)`,
    );
  }
  if (values.fleet !== undefined) {
    if (values.fleet.trim() === "") throw new TargetUsageError("--fleet: expected a fleet file path, e.g. --fleet fleet.yaml");
    return { kind: "fleet", file: values.fleet };
  }
  if (values.devices !== undefined) return { kind: "devices", deviceIds: parseDeviceList(values.devices) };
  try {
    return { kind: "selection", selection: parseSelectionFlags(values) };
  } catch (error) {
    if (error instanceof SelectionUsageError) throw new TargetUsageError(error.message);
    throw error;
  }
}

function parseDeviceList(text: string): string[] {
  const parts = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  const bad = parts.filter((id) => !DEVICE_ID_PATTERN.test(id));
  if (parts.length === 0 || bad.length > 0) {
    const what =
      bad.length > 0 ? `${bad.map((b) => JSON.stringify(b)).join(", ")} ${bad.length === 1 ? "is not a device ID" : "are not device IDs"}` : "no device ID";
    throw new TargetUsageError(`--devices: ${what}: expected comma-separated Sigfox device IDs (1 to 8 hex digits), e.g. --devices 1A2B3C01,1A2B3C02`);
  }
  return dedupe(parts);
}

/** Keeps the first spelling of each device (`2c` and `0000002C` are one device). */
function dedupe(deviceIds: string[]): string[] {
  const seen = new Set<string>();
  return deviceIds.filter((id) => {
    const canonical = canonicalDeviceId(id);
    if (seen.has(canonical)) return false;
    seen.add(canonical);
    return true;
  });
}

/** A fleet file that cannot be read: the message lists every problem (never a PAC). Commands exit 2 on it. */
export class TargetFleetError extends Error {
  override name = "TargetFleetError";
}

/**
 * The device IDs of the targets, in a stable order (listing order, or file order). A fleet file is
 * loaded with missing PACs allowed and those warnings dropped: this command never registers a device.
 */
export async function resolveTargets(targets: DeviceTargets, client: DeviceLister, options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<string[]> {
  switch (targets.kind) {
    case "devices":
      return targets.deviceIds;
    case "fleet": {
      try {
        const fleet = loadFleetDefinition(targets.file, { cwd: options.cwd, env: options.env, missingPacs: "warning" });
        return dedupe([...fleet.devices.map((d) => d.deviceId), ...fleet.devicesWithoutPac]);
      } catch (error) {
        if (error instanceof FleetDefinitionError) throw new TargetFleetError(`--fleet ${targets.file}: ${error.message}`);
        throw error;
      }
    }
    case "selection": {
      const ids: string[] = [];
      for await (const device of selectDevices(client, targets.selection)) ids.push(device.device_id);
      return ids;
    }
  }
}
