/**
 * Issue 10, item 1, on the REAL engine: a fleet converges in ONE `pulumi up` while every write
 * operation fails at random (10 % 503, 5 % 429, 2 % dropped after the commit; seeded), with no orphan
 * and no duplicate registration, as the emulator's request log and state tell. The bench runs the same
 * scenario at 200 devices against a fault-free baseline (bench/src/scenario-faults.ts).
 */
import * as os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FleetStack } from "../../bench/src/harness";
import { deployFleet, fleetFaults, openFaultFleet } from "../../bench/src/scenario-faults";
import type { FleetFile } from "../../src/fleet/schema";

const DEVICES = 60;
const SEED = 20261201;
let fleet: { fs: FleetStack; definition: FleetFile } | undefined;

beforeAll(async () => {
  fleet = await openFaultFleet(DEVICES, "faults-test", os.tmpdir());
}, 120_000);
afterAll(async () => fleet?.fs.close());

describe("a fleet under faults", () => {
  it(`${DEVICES} devices converge in one up: every device registered once, in the declared state, none orphaned`, async () => {
    const { fs, definition } = fleet!;
    const r = await deployFleet(fs, definition, fleetFaults(SEED));
    expect(r.error).toBeUndefined();
    // The faults really happened, on registrations too (else the test proves nothing).
    const applied = Object.entries(r.faultsApplied);
    expect(applied.filter(([k]) => k.startsWith("registerSigfoxDevice:")).reduce((n, [, v]) => n + v, 0)).toBeGreaterThanOrEqual(3);
    expect(applied.some(([k]) => k.endsWith("status:503"))).toBe(true);
    expect(applied.some(([k]) => k.endsWith("status:429"))).toBe(true);
    expect(r.audit).toEqual({ registered: DEVICES, missing: [], orphans: [], duplicateRegistrations: [], conflictingRegisters: 0, notConverged: [] });
    // Converged: the next preview has nothing to do and makes no API call.
    await fs.emulator.control.clearRequests();
    const preview = await fs.stack.preview({ expectNoChanges: true });
    expect(preview.changeSummary).toMatchObject({ same: DEVICES + 2 });
    expect(await fs.emulator.control.calls()).toEqual({});
  }, 900_000);
});
