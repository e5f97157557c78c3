/**
 * The fleet definition file format (YAML or JSON), as zod schemas. `docs/fleet.md` documents it;
 * the TypeScript types of the format come from here.
 *
 * Every object is strict: an unknown key is an error (a misspelt `groupID` must not silently leave
 * a device outside its group). The checks that need more than one field (duplicates, CSV rows, PAC
 * sources) live in `load.ts`.
 */
import { z } from "zod";
import {
  DeviceIdValue,
  DOT_SEGMENT_TAG_NAMES,
  GroupIdValue,
  MAX_TAG_NAME_LENGTH,
  MAX_TAG_VALUE_LENGTH,
  PacValue,
  ProductCertificationIdValue,
  TagNameValue,
  TagValueValue,
} from "../api/values";

/** The only format version so far. */
export const FLEET_FORMAT_VERSION = 1;

export const ENV_VAR_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

// The value rules are the provider's and the client's (src/api/values.ts), checked here to point at the
// line. Zod's messages are not shown: messages.ts writes its own.
const DeviceId = DeviceIdValue;
const Pac = PacValue;
const GroupId = GroupIdValue;
const TagName = TagNameValue;
const TagValue = TagValueValue;
export { DOT_SEGMENT_TAG_NAMES, MAX_TAG_NAME_LENGTH, MAX_TAG_VALUE_LENGTH };

/** One CSV path, or several. Relative to the fleet file; `~` is the home directory. */
const CsvPaths = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

/** An explicit PAC source for one device: exactly one of `env` or `config`. */
export const PacFromSchema = z
  .strictObject({
    /** Name of an environment variable holding the PAC. */
    env: z.string().regex(ENV_VAR_NAME_PATTERN).optional(),
    /** Key in the project's Pulumi config namespace (set it with `pulumi config set --secret`). */
    config: z.string().min(1).optional(),
  })
  .refine((v) => (v.env === undefined) !== (v.config === undefined), {
    message: "pacFrom needs exactly one of env or config",
  });
export type PacFrom = z.infer<typeof PacFromSchema>;

export const FleetDefaultsSchema = z.strictObject({
  /** Tags every device gets; a device's own tags are merged over them. */
  tags: z.record(TagName, TagValue).optional(),
  /** Group of every device that does not name its own. */
  groupId: GroupId.optional(),
  /** `true` lets devices be terminated (Soracom's default is `false`: protected). */
  terminationEnabled: z.boolean().optional(),
  /** On removal from the fleet, delete at once instead of after 24 hours. */
  deleteImmediately: z.boolean().optional(),
  /** Sigfox product certification ID sent when a device is registered (all devices of one model share it). */
  productCertificationId: ProductCertificationIdValue.optional(),
  /** `true`: no PAC is looked up or required; devices are only adopted (never registered). */
  adoptOnly: z.boolean().optional(),
});
export type FleetDefaults = z.infer<typeof FleetDefaultsSchema>;

export const FleetDeviceSchema = z.strictObject({
  deviceId: DeviceId,
  /** Inline PAC. Allowed, discouraged: it puts a secret into the file. */
  pac: Pac.optional(),
  pacFrom: PacFromSchema.optional(),
  /** Merged over `defaults.tags`; a `null` value removes a default tag from this device. */
  tags: z.record(TagName, TagValue.nullable()).optional(),
  /** Overrides `defaults.groupId`; `null` means no group for this device. */
  groupId: GroupId.nullable().optional(),
  terminationEnabled: z.boolean().optional(),
  deleteImmediately: z.boolean().optional(),
  /** Overrides `defaults.productCertificationId`. */
  productCertificationId: ProductCertificationIdValue.optional(),
  /** Overrides `defaults.adoptOnly`. */
  adoptOnly: z.boolean().optional(),
});
export type FleetDeviceEntry = z.infer<typeof FleetDeviceSchema>;

export const FleetFileSchema = z.strictObject({
  version: z.literal(FLEET_FORMAT_VERSION).optional(),
  defaults: FleetDefaultsSchema.optional(),
  /** CSV files whose rows *are* fleet devices (`device_id`, optional `pac`, `group_id`, `tag:<name>`). */
  devicesCsv: CsvPaths.optional(),
  /** CSV files used only to look PACs up (`device_id`, `pac`); rows of other devices are ignored. */
  pacsCsv: CsvPaths.optional(),
  devices: z.array(FleetDeviceSchema).optional(),
});

/** A fleet definition as written in a file or passed as an object. */
export type FleetFile = z.infer<typeof FleetFileSchema>;

/** Keys of each object of the format, for "did you mean" hints on unknown keys. */
export const KNOWN_KEYS = {
  root: Object.keys(FleetFileSchema.shape),
  defaults: Object.keys(FleetDefaultsSchema.shape),
  device: Object.keys(FleetDeviceSchema.shape),
  pacFrom: ["env", "config"],
} as const;
