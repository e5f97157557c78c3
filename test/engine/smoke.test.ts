import { afterAll, describe, expect, it } from "vitest";
import { createTestStack, requireDist, repoRoot, type TestStack } from "../helpers/engine";
import * as path from "node:path";

const { program } = requireDist(path.join(repoRoot, "test/fixtures/trivial-program.js")) as {
  program: () => Promise<Record<string, unknown>>;
};

describe("engine smoke: the real Pulumi CLI runs a dynamic resource through the Automation API", () => {
  let harness: TestStack | undefined;
  afterAll(async () => harness?.cleanup());

  it("up creates, preview is empty, destroy removes", async () => {
    harness = await createTestStack({ program, projectName: "smoke" });

    const up = await harness.up();
    expect(up.summary.result).toBe("succeeded");
    expect(up.summary.resourceChanges).toEqual({ create: 2 });
    expect(up.outputs.greeting?.value).toBe("hello sigfox");

    const preview = await harness.preview();
    expect(preview.changeSummary).toEqual({ same: 2 });

    const destroy = await harness.destroy();
    expect(destroy.summary.resourceChanges).toEqual({ delete: 2 });
    const state = JSON.parse(await harness.exportState()) as { resources?: unknown[] };
    expect(state.resources ?? []).toHaveLength(0);
  });
});
