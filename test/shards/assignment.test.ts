/** Shard assignment: a pure function of the device ID, stable under adds/removes, a partition, balanced. */
import { describe, expect, it } from "vitest";
import { fnv1a32, inShard, parseShardSpec, shardOfDevice, ShardSpecError } from "../../src/fleet/shard";

const hexId = (n: number): string => n.toString(16).toUpperCase().padStart(8, "0");
/** 2,000 IDs spread like a vendor's batches: consecutive runs from a few bases. */
const FLEET = [0x1a2b3c00, 0x00400000, 0xfe000000, 0x00000001].flatMap((base) => Array.from({ length: 500 }, (_, i) => hexId(base + i)));

const assign = (ids: string[], count: number): Map<string, number> => new Map(ids.map((id) => [id, shardOfDevice(id, count)]));

describe("shardOfDevice", () => {
  it("is FNV-1a of the canonical ID (upper case, no leading zeros) mod K, numbered from 1", () => {
    expect(fnv1a32("")).toBe(0x811c9dc5);
    expect(fnv1a32("a")).toBe(0xe40c292c); // published FNV-1a 32 test vector
    expect(shardOfDevice("1A2B3C01", 7)).toBe((fnv1a32("1A2B3C01") % 7) + 1);
    // Spellings of one device land in one shard.
    expect(shardOfDevice("0000002c", 5)).toBe(shardOfDevice("2C", 5));
  });

  it("puts every device in exactly one shard", () => {
    for (const count of [1, 2, 3, 4, 8, 10]) {
      for (const id of FLEET.slice(0, 300)) {
        const owners = Array.from({ length: count }, (_, i) => i + 1).filter((index) => inShard(id, { index, count }));
        expect(owners).toHaveLength(1);
      }
    }
  });

  it("never moves a device when others are added or removed, or the file is reordered", () => {
    for (const count of [2, 4, 8]) {
      const before = assign(FLEET.slice(0, 1500), count);
      // Remove every third device, add 500 new ones, reverse the order.
      const after = assign([...FLEET.slice(0, 1500).filter((_, i) => i % 3 !== 0), ...FLEET.slice(1500)].reverse(), count);
      for (const [id, shard] of after) if (before.has(id)) expect(shard, id).toBe(before.get(id));
    }
  });

  it("balances consecutive IDs roughly evenly (every shard within 20% of the mean)", () => {
    for (const count of [2, 3, 4, 8, 10]) {
      const sizes = new Array<number>(count).fill(0);
      for (const id of FLEET) sizes[shardOfDevice(id, count) - 1]! += 1;
      const mean = FLEET.length / count;
      for (const size of sizes) expect(Math.abs(size - mean) / mean, `K=${count}: ${sizes.join(",")}`).toBeLessThan(0.2);
    }
  });
});

describe("parseShardSpec", () => {
  it("reads i/K, numbered from 1, spaces allowed", () => {
    expect(parseShardSpec("3/8")).toEqual({ index: 3, count: 8 });
    expect(parseShardSpec(" 1 / 1 ")).toEqual({ index: 1, count: 1 });
  });

  it.each([
    ["0/4", "numbered from 1"],
    ["5/4", "between 1 and the shard count"],
    ["1/0", "shard count must be between 1 and 1000"],
    ["2", 'must be "<shard>/<count>"'],
    ["a/b", 'must be "<shard>/<count>"'],
    ["1.5/4", 'must be "<shard>/<count>"'],
  ])("rejects %s naming the key and the fix", (text, reason) => {
    let error: unknown;
    try {
      parseShardSpec(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ShardSpecError);
    const message = (error as Error).message;
    expect(message).toContain(`fleet:shard ${JSON.stringify(text)} is invalid`);
    expect(message).toContain(reason);
    expect(message).toContain("pulumi config set fleet:shard <shard>/<count>");
    expect(message).toContain("pulumi config rm fleet:shard");
  });
});
