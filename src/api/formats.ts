/**
 * Formats of the identifiers the Sigfox API uses, shared by input validation (provider `check`,
 * fleet files) and the emulator.
 */

/** A Sigfox device ID: a 32-bit ID in hex, up to 8 digits, often written without leading zeros. */
export const DEVICE_ID_PATTERN = /^[0-9A-Fa-f]{1,8}$/;
/** A PAC (`registrationSecret`): 8 bytes as 16 hex characters. One-time, and a secret. */
export const PAC_PATTERN = /^[0-9A-Fa-f]{16}$/;
/** Soracom group IDs are UUIDs. */
export const GROUP_ID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** A downlink payload: exactly 8 bytes as 16 hex characters. */
export const DOWNLINK_DATA_PATTERN = /^[0-9A-Fa-f]{16}$/;
