/**
 * Names of the shard stacks of a fleet: `<prefix>-<i>of<K>`, e.g. `prod-2of4`. The name carries the
 * shard count so that stacks of two shardings (before and after `fleet reshard`) never collide.
 */
import { z } from "zod";
import { MAX_SHARD_COUNT, type ShardSpec } from "../fleet";

export const DEFAULT_STACK_PREFIX = "fleet";

/** A stack name prefix: Pulumi's stack-name characters, optionally `org/` or `org/project/` first. */
export const StackPrefixSchema = z.string().regex(/^(?:[A-Za-z0-9_.-]+\/){0,2}[A-Za-z0-9_.-]+$/, {
  message: "use letters, digits, '-', '_' and '.', optionally after 'org/' or 'org/project/' (e.g. prod or acme/prod)",
});

export const ShardCountSchema = z.coerce
  .number({ message: "must be a whole number" })
  .int({ message: "must be a whole number" })
  .min(1, { message: "must be at least 1" })
  .max(MAX_SHARD_COUNT, { message: `must be at most ${MAX_SHARD_COUNT}` });

export function shardStackName(prefix: string, shard: ShardSpec): string {
  return `${prefix}-${shard.index}of${shard.count}`;
}

/** Shards 1..count of count. */
export function allShards(count: number): ShardSpec[] {
  return Array.from({ length: count }, (_, i) => ({ index: i + 1, count }));
}

/** The stack name inside URNs and in a project's stack list: the last segment of `org/project/stack`. */
export function shortStackName(stack: string): string {
  return stack.slice(stack.lastIndexOf("/") + 1);
}

/**
 * The shard counts other than `count` that stacks of this prefix are deployed with (from a stack
 * list), e.g. `[4]` when `prod-1of4` … exist and `count` is 6.
 */
export function otherShardCounts(stackNames: readonly string[], prefix: string, count: number): number[] {
  const pattern = new RegExp(`^${escapeRegExp(shortStackName(prefix))}-(\\d+)of(\\d+)$`);
  const counts = new Set<number>();
  for (const name of stackNames) {
    const m = pattern.exec(shortStackName(name));
    if (m && Number(m[2]) !== count) counts.add(Number(m[2]));
  }
  return [...counts].sort((a, b) => a - b);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
