/**
 * Identity of a device inside a fleet: how two spellings of one Sigfox ID are recognised as the same
 * device, and the Pulumi resource name a device gets.
 */
import { DEVICE_ID_PATTERN } from "../api/formats";

/**
 * The canonical form of a Sigfox device ID: upper case, without leading zeros. A Sigfox ID is a
 * 32-bit number written in hex, so `2c`, `2C` and `0000002C` name the same device. Used to detect
 * duplicates and to name resources, never sent to the API (the ID is sent exactly as written).
 */
export function canonicalDeviceId(deviceId: string): string {
  const stripped = deviceId.toUpperCase().replace(/^0+(?=.)/, "");
  return stripped;
}

/** Whether `value` is a Sigfox device ID (1 to 8 hex digits). */
export function isDeviceId(value: unknown): value is string {
  return typeof value === "string" && DEVICE_ID_PATTERN.test(value);
}

/**
 * The Pulumi resource name of a fleet device: its canonical device ID, nothing else.
 *
 * Why only the ID: a resource's URN is built from its type chain and its name (the parent's *name*
 * is not part of it), so a name that depends only on the device keeps every URN stable when the
 * file is reordered, devices are added or removed, defaults change, or the fleet component itself
 * is renamed. A device ID is unique within an operator, so two fleets in one stack claiming the
 * same device collide on the URN: the engine rejects the program instead of letting two resources
 * fight over one device.
 */
export function deviceResourceName(deviceId: string): string {
  return canonicalDeviceId(deviceId);
}
