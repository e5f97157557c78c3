/** The sharded CI example stays consistent with the code: one job per shard, the stack names and config the `fleet` command uses. */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { MIN_ENGINE_GOMAXPROCS } from "../../src/engine/workspace";
import { DEFAULT_ENGINE_PARALLEL } from "../../src/shards/run";
import { allShards, shardStackName } from "../../src/shards/stacks";
import { repoRoot } from "../helpers/engine";

const FILE = path.join(repoRoot, "examples/ci-pipeline/.github/workflows/sigfox-fleet-sharded.yml");

interface Workflow {
  env: Record<string, string>;
  jobs: { shard: { strategy: { "fail-fast": boolean; matrix: { shard: number[] } }; env: { STACK: string }; steps: { run?: string; if?: string }[] } };
}

describe("examples/ci-pipeline sharded workflow", () => {
  const workflow = parse(fs.readFileSync(FILE, "utf8")) as Workflow;
  const job = workflow.jobs.shard;
  const count = Number(workflow.env.SHARDS);

  it("has one matrix job per shard 1..SHARDS, and one failing shard does not cancel the others", () => {
    expect(job.strategy.matrix.shard).toEqual(allShards(count).map((s) => s.index));
    expect(job.strategy["fail-fast"]).toBe(false);
  });

  it("names the stacks like `fleet up --shards` and sets fleet:shard i/K on each", () => {
    const stack = job.env.STACK.replace("${{ vars.PULUMI_STACK_PREFIX }}", "prod").replace("${{ matrix.shard }}", "2");
    expect(stack).toBe(shardStackName("prod", { index: 2, count }));
    const runs = job.steps.map((s) => s.run ?? "").join("\n");
    expect(runs).toContain('pulumi config set fleet:shard "${{ matrix.shard }}/$SHARDS"');
  });

  it("previews on pull requests, ups on main, with the measured --parallel and a safe GOMAXPROCS", () => {
    const preview = job.steps.find((s) => s.run?.includes("pulumi preview"))!;
    const up = job.steps.find((s) => s.run?.includes("pulumi up"))!;
    expect(preview.if).toBe("github.event_name == 'pull_request'");
    expect(up.if).toContain("github.ref == 'refs/heads/main'");
    expect(Number(workflow.env.ENGINE_PARALLEL)).toBe(DEFAULT_ENGINE_PARALLEL);
    expect(Number(workflow.env.GOMAXPROCS)).toBeGreaterThanOrEqual(MIN_ENGINE_GOMAXPROCS);
  });
});
