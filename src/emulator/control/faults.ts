/** Fault injection: per operation, N times or with a probability; status, latency or a dropped connection. */
import type { FaultRequest } from "./schemas";

export interface ActiveFault extends FaultRequest {
  id: number;
  /** The fault's own random source when it has a `seed` (not listed: a function). */
  draw?: () => number;
  /** Calls left; `null` = unlimited (probability-only faults). */
  remaining: number | null;
  applied: number;
}

export class FaultInjector {
  private faults: ActiveFault[] = [];
  private nextId = 1;

  constructor(private readonly random: () => number = Math.random) {}

  add(req: FaultRequest): ActiveFault {
    // Default count 1 unless a probability is given: a forgotten fault must not wedge every later test.
    const remaining = req.count ?? (req.probability !== undefined ? null : 1);
    const fault: ActiveFault = { ...req, id: this.nextId++, remaining, applied: 0, ...(req.seed !== undefined ? { draw: seededRandom(req.seed) } : {}) };
    this.faults.push(fault);
    return fault;
  }

  clear(): void {
    this.faults = [];
  }

  list(): ActiveFault[] {
    return this.faults.map(({ draw: _draw, ...f }) => ({ ...f }));
  }

  /** The fault to apply to this call, if any (first match in insertion order); consumes one use. */
  take(operation: string): ActiveFault | undefined {
    for (const fault of this.faults) {
      if (fault.operation !== operation && fault.operation !== "*") continue;
      if (fault.probability !== undefined && (fault.draw ?? this.random)() >= fault.probability) continue;
      fault.applied += 1;
      if (fault.remaining !== null) {
        fault.remaining -= 1;
        if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
      }
      const { draw: _draw, ...applied } = fault;
      return applied;
    }
    return undefined;
  }
}

/** mulberry32: a small, fast, seedable PRNG (uniform in [0, 1)). */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
