/**
 * Device selection shared by the commands that act on a part of an account (`import`, `data export`,
 * `downlink send`): the flags `--tag NAME=VALUE` (repeatable, all must match), `--tag-prefix
 * NAME=PREFIX` (repeatable), `--group GROUP_ID` and `--status LIST`, parsed once, applied once.
 *
 * The account is read with the list API only (`ceil(A/100)` calls for `A` devices): the first tag
 * condition is sent to the server as a filter, the rest are checked here on each listed device.
 */
import { z } from "zod";
import { GROUP_ID_PATTERN } from "../api/formats";
import type { ApiSigfoxDevice } from "../api/schemas";
import type { ListSigfoxDevicesQuery } from "../client";

/** Device statuses, in lifecycle order. */
export const DEVICE_STATUSES = ["instock", "ready", "active", "terminated"] as const;
export type DeviceStatus = (typeof DEVICE_STATUSES)[number];
/** Every status but `terminated`: a terminated device is gone for every purpose of these commands. */
export const DEFAULT_STATUSES: readonly DeviceStatus[] = ["instock", "ready", "active"];

export const DeviceSelectionSchema = z.object({
  /** Exact tag matches; every one must hold. */
  tags: z.array(z.object({ name: z.string().min(1), value: z.string().min(1) })),
  /** Tag value prefixes; every one must hold. */
  tagPrefixes: z.array(z.object({ name: z.string().min(1), prefix: z.string().min(1) })),
  groupId: z.string().regex(GROUP_ID_PATTERN).optional(),
  statuses: z.array(z.enum(DEVICE_STATUSES)).min(1),
});
export type DeviceSelection = z.infer<typeof DeviceSelectionSchema>;

/** Selects every device of the account except terminated ones. */
export const EVERY_DEVICE: DeviceSelection = { tags: [], tagPrefixes: [], statuses: [...DEFAULT_STATUSES] };

/** The flags' help text, for each command's `--help`. */
export const SELECTION_HELP = `Selection (default: every device of the account that is not terminated):
  --tag NAME=VALUE          only devices whose tag NAME is VALUE (repeatable: all must match)
  --tag-prefix NAME=PREFIX  only devices whose tag NAME starts with PREFIX (repeatable)
  --group GROUP_ID          only devices in this group (a UUID)
  --status LIST             comma-separated statuses among ${DEVICE_STATUSES.join(", ")}
                            (default: ${DEFAULT_STATUSES.join(",")})`;

/** `node:util` parseArgs options of the selection flags. */
export const SELECTION_OPTIONS = {
  tag: { type: "string", multiple: true },
  "tag-prefix": { type: "string", multiple: true },
  group: { type: "string" },
  status: { type: "string" },
} as const;

/** A bad selection flag: the message names the flag and the fix. Commands exit 2 on it. */
export class SelectionUsageError extends Error {
  override name = "SelectionUsageError";
}

export interface SelectionFlagValues {
  tag?: string[] | undefined;
  "tag-prefix"?: string[] | undefined;
  group?: string | undefined;
  status?: string | undefined;
}

/** Parses the selection flags. Throws {@link SelectionUsageError} naming the flag and the fix. */
export function parseSelectionFlags(values: SelectionFlagValues): DeviceSelection {
  const pair = (flag: string, text: string, right: string): { name: string; rest: string } => {
    const at = text.indexOf("=");
    if (at <= 0 || at === text.length - 1) {
      throw new SelectionUsageError(`--${flag} ${JSON.stringify(text)}: expected NAME=${right}, e.g. --${flag} site=${flag === "tag" ? "tokyo" : "tok"}`);
    }
    return { name: text.slice(0, at), rest: text.slice(at + 1) };
  };
  const tags = (values.tag ?? []).map((t) => {
    const { name, rest } = pair("tag", t, "VALUE");
    return { name, value: rest };
  });
  const tagPrefixes = (values["tag-prefix"] ?? []).map((t) => {
    const { name, rest } = pair("tag-prefix", t, "PREFIX");
    return { name, prefix: rest };
  });
  let groupId: string | undefined;
  if (values.group !== undefined) {
    if (!GROUP_ID_PATTERN.test(values.group)) {
      throw new SelectionUsageError(
        `--group ${JSON.stringify(values.group)}: expected a Soracom group ID (a UUID such as 7f3c1e2a-0b4d-4c6e-9f10-1234567890ab)`,
      );
    }
    groupId = values.group;
  }
  let statuses: DeviceStatus[] = [...DEFAULT_STATUSES];
  if (values.status !== undefined) {
    const parts = values.status
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
    const bad = parts.filter((s) => !(DEVICE_STATUSES as readonly string[]).includes(s));
    if (parts.length === 0 || bad.length > 0) {
      throw new SelectionUsageError(
        `--status ${JSON.stringify(values.status)}: expected a comma-separated list of ${DEVICE_STATUSES.join(", ")} (e.g. --status ready,active)`,
      );
    }
    statuses = [...new Set(parts as DeviceStatus[])];
  }
  return { tags, tagPrefixes, ...(groupId !== undefined ? { groupId } : {}), statuses };
}

/** The list query that lets the server filter on the first tag condition (the rest is filtered here). */
export function listQueryFor(selection: DeviceSelection): ListSigfoxDevicesQuery {
  const exact = selection.tags[0];
  if (exact) return { tagName: exact.name, tagValue: exact.value, tagValueMatchMode: "exact" };
  const prefix = selection.tagPrefixes[0];
  if (prefix) return { tagName: prefix.name, tagValue: prefix.prefix, tagValueMatchMode: "prefix" };
  return {};
}

/** Whether a listed device is selected. Group IDs (UUIDs) compare case-insensitively. */
export function matchesSelection(device: ApiSigfoxDevice, selection: DeviceSelection): boolean {
  const tags = device.tags ?? {};
  if (!selection.tags.every((t) => tags[t.name] === t.value)) return false;
  if (!selection.tagPrefixes.every((t) => tags[t.name]?.startsWith(t.prefix) === true)) return false;
  if (selection.groupId !== undefined && device.groupId?.toLowerCase() !== selection.groupId.toLowerCase()) return false;
  return (selection.statuses as readonly string[]).includes(device.status ?? "");
}

/** The part of the client this module needs. */
export interface DeviceLister {
  sigfoxDevices(query?: ListSigfoxDevicesQuery): AsyncIterable<ApiSigfoxDevice>;
}

/**
 * Every selected device, listed page by page (never a GET per device). `onListed` is called with
 * the number of devices listed so far (selected or not), for progress displays.
 */
export async function* selectDevices(client: DeviceLister, selection: DeviceSelection, onListed?: (listed: number) => void): AsyncIterable<ApiSigfoxDevice> {
  let listed = 0;
  for await (const device of client.sigfoxDevices(listQueryFor(selection))) {
    listed++;
    onListed?.(listed);
    if (matchesSelection(device, selection)) yield device;
  }
}
