/** Fault injection: per operation, N times or with a probability; status, latency or a dropped connection. */
import type { FaultRequest } from "./schemas";

export interface ActiveFault extends FaultRequest {
  id: number;
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
    const fault: ActiveFault = { ...req, id: this.nextId++, remaining, applied: 0 };
    this.faults.push(fault);
    return fault;
  }

  clear(): void {
    this.faults = [];
  }

  list(): ActiveFault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  /** The fault to apply to this call, if any (first match in insertion order); consumes one use. */
  take(operation: string): ActiveFault | undefined {
    for (const fault of this.faults) {
      if (fault.operation !== operation && fault.operation !== "*") continue;
      if (fault.probability !== undefined && this.random() >= fault.probability) continue;
      fault.applied += 1;
      if (fault.remaining !== null) {
        fault.remaining -= 1;
        if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
      }
      return { ...fault };
    }
    return undefined;
  }
}
