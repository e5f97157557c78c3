/**
 * The one home of every rule about identifiers and values: device ID, PAC, group ID, tag names and
 * values and their limits, the number of tags a device may have, the product certification ID.
 *
 * The provider (`check`), the fleet loader (schema), the client (request schemas in ./schemas.ts) and
 * the emulator (which parses request bodies with those same schemas) all use these pieces, so a value
 * one of them accepts is accepted by all four. The messages are the provider's: they name the field
 * and the fix, and never echo a value (a PAC is a secret).
 *
 * Soracom documents none of the limits; they are this project's, chosen to keep requests and the
 * emulator's state small (docs/emulator.md lists them).
 */
import { z } from "zod";
import { DEVICE_ID_PATTERN, GROUP_ID_PATTERN, PAC_PATTERN } from "./formats";

/** Longest tag name accepted (Soracom documents no limit; this keeps names sane and URL-safe in size). */
export const MAX_TAG_NAME_LENGTH = 128;
/** Longest tag value accepted. */
export const MAX_TAG_VALUE_LENGTH = 1024;
/** Most tags one device may carry. */
export const MAX_TAGS_PER_DEVICE = 100;
/** Longest product certification ID accepted (Sigfox's look like `P_0006_7A5B_01`). */
export const MAX_PRODUCT_CERTIFICATION_ID_LENGTH = 64;
/**
 * Tag names refused: a tag is removed with `DELETE …/tags/{name}`, where "." and ".." are dot segments
 * that URL normalization removes (percent-encoded or not), so such a tag could be added but never removed.
 */
export const DOT_SEGMENT_TAG_NAMES: readonly string[] = [".", ".."];

export const DeviceIdValue = z
  .string({ error: 'deviceId must be a string: the Sigfox device ID, e.g. "1A2B3C4D"' })
  .regex(DEVICE_ID_PATTERN, 'deviceId must be 1 to 8 hexadecimal digits, e.g. "1A2B3C4D" (no "0x" prefix, no spaces)');

export const PacValue = z
  .string({ error: "registrationSecret must be a string: the device's PAC, 16 hexadecimal characters" })
  .regex(PAC_PATTERN, "registrationSecret (the PAC) must be exactly 16 hexadecimal characters; copy it from the device's label or order sheet");

export const GroupIdValue = z
  .string({ error: "groupId must be a string: a Soracom group ID (UUID)" })
  .regex(GROUP_ID_PATTERN, 'groupId must be a Soracom group ID (a UUID such as "7f3c1e2a-0b4d-4c6e-9f10-1234567890ab"); omit it for no group');

export const TagNameValue = z
  .string({ error: "tag names must be strings" })
  .min(1, "tag names must not be empty")
  .max(MAX_TAG_NAME_LENGTH, `tag names must be at most ${MAX_TAG_NAME_LENGTH} characters`)
  .refine((n) => !DOT_SEGMENT_TAG_NAMES.includes(n), 'tag names "." and ".." cannot be used: a tag is removed by its name in the URL path, where they are dot segments');

export const TagValueValue = z
  .string({ error: "tag values must be strings" })
  .min(1, "tag values must not be empty: remove the tag instead")
  .max(MAX_TAG_VALUE_LENGTH, `tag values must be at most ${MAX_TAG_VALUE_LENGTH} characters`);

export const TOO_MANY_TAGS_MESSAGE = `a device may have at most ${MAX_TAGS_PER_DEVICE} tags`;

/** True when a device with these tag names stays within {@link MAX_TAGS_PER_DEVICE}. */
export const withinTagCount = (tags: object): boolean => Object.keys(tags).length <= MAX_TAGS_PER_DEVICE;

/** A device's tags as a map, every name and value checked, at most {@link MAX_TAGS_PER_DEVICE}. */
export const TagMapValue = z.record(TagNameValue, TagValueValue).refine(withinTagCount, TOO_MANY_TAGS_MESSAGE);

export const ProductCertificationIdValue = z
  .string({ error: "productCertificationId must be a string: the Sigfox product certification ID, e.g. \"P_0006_7A5B_01\"" })
  .min(1, "productCertificationId must not be empty: omit it instead")
  .max(MAX_PRODUCT_CERTIFICATION_ID_LENGTH, `productCertificationId must be at most ${MAX_PRODUCT_CERTIFICATION_ID_LENGTH} characters`);
