/**
 * Shards: one fleet file deployed as K stacks, each holding the devices of one shard.
 *
 * A device's shard depends on its canonical device ID and K only (FNV-1a of the ID, modulo K), never
 * on its position in the file: adding or removing devices never moves another device to another
 * shard, and every device is in exactly one shard. Changing K moves devices (see `fleet reshard`).
 *
 * Shards are numbered from 1: `2/4` is the second of four. The stack config key is `fleet:shard`.
 */
import { z } from "zod";
import { canonicalDeviceId } from "./device-id";

export const SHARD_CONFIG_NAMESPACE = "fleet";
export const SHARD_CONFIG_KEY = "shard";
/** The fully qualified config key, as users type it (`pulumi config set fleet:shard 2/4`). */
export const SHARD_CONFIG_NAME = `${SHARD_CONFIG_NAMESPACE}:${SHARD_CONFIG_KEY}`;
/** More shards than this is a typo, not a fleet (each shard is a stack and a CI job). */
export const MAX_SHARD_COUNT = 1000;

export const ShardSpecSchema = z
  .string()
  .trim()
  .regex(/^\d+\s*\/\s*\d+$/, { message: 'must be "<shard>/<count>", e.g. "2/4" for the second of four shards' })
  .transform((text) => text.split("/").map((part) => Number(part.trim())) as [number, number])
  .pipe(
    z
      .tuple([z.number().int(), z.number().int()])
      .refine(([, count]) => count >= 1 && count <= MAX_SHARD_COUNT, {
        message: `the shard count must be between 1 and ${MAX_SHARD_COUNT}`,
      })
      .refine(([index, count]) => index >= 1 && index <= count, {
        message: "the shard number must be between 1 and the shard count (shards are numbered from 1)",
      }),
  )
  .transform(([index, count]) => ({ index, count }));

/** Shard `index` (1-based) of `count`. */
export type ShardSpec = z.output<typeof ShardSpecSchema>;

/** A bad `fleet:shard` value (or `--shards` count); the message names the key and the fix. */
export class ShardSpecError extends Error {
  readonly code = "shard_invalid" as const;
  constructor(message: string) {
    super(message);
    this.name = "ShardSpecError";
  }
}

/**
 * Parses `"i/K"`. `source` names where the value came from, for the message (default the config key).
 * @throws ShardSpecError naming the key and the fix.
 */
export function parseShardSpec(text: string, source: string = SHARD_CONFIG_NAME): ShardSpec {
  const parsed = ShardSpecSchema.safeParse(text);
  if (parsed.success) return parsed.data;
  const reason = parsed.error.issues[0]?.message ?? "invalid";
  const shown = text.length > 20 ? `${text.slice(0, 17)}...` : text;
  throw new ShardSpecError(
    `${source} ${JSON.stringify(shown)} is invalid: ${reason}. ` +
      `Fix: \`pulumi config set ${SHARD_CONFIG_NAME} <shard>/<count>\` (e.g. 1/4 ... 4/4, one per stack), ` +
      `or \`pulumi config rm ${SHARD_CONFIG_NAME}\` to deploy the whole fleet in this stack.`,
  );
}

/** `"2/4"`: the config value of a shard. */
export function formatShardSpec(spec: ShardSpec): string {
  return `${spec.index}/${spec.count}`;
}

/** 32-bit FNV-1a of the ASCII text (device IDs are hex digits). */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** The shard (1..count) of a device: FNV-1a of its canonical ID (upper case, no leading zeros), mod count, plus 1. */
export function shardOfDevice(deviceId: string, count: number): number {
  return (fnv1a32(canonicalDeviceId(deviceId)) % count) + 1;
}

/** Whether the device belongs to the shard. */
export function inShard(deviceId: string, spec: ShardSpec): boolean {
  return shardOfDevice(deviceId, spec.count) === spec.index;
}
