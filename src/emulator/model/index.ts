/**
 * The model: owns the state and the clock, applies rules (./devices, ./auth, ./control) and commits.
 *
 * `mutate()` is the only way state changes: it sweeps expired terminated devices first (so every caller
 * sees the 24-hour rule applied on the emulator clock), runs the change, and hands the new state to the
 * persistence hook *before* the caller answers, so an acknowledged change is on disk.
 */
import type { Clock } from "../clock";
import type { ModelContext } from "./context";
import { pruneExpiredTokens } from "./auth";
import { sweepTerminated } from "./devices";
import { emptyState, type EmulatorState, type Operator } from "./state";

export type PersistHook = (state: EmulatorState) => void;

export class EmulatorModel {
  readonly ctx: ModelContext;

  constructor(
    readonly clock: Clock,
    readonly defaultOperator: Operator,
    private readonly persist: PersistHook = () => {},
    initial?: EmulatorState,
  ) {
    const state = initial ?? emptyState();
    state.operators[defaultOperator.operatorId] ??= structuredClone(defaultOperator);
    this.ctx = { state, clock, defaultOperatorId: defaultOperator.operatorId };
    if (initial) clock.setOffset(initial.clockOffsetMs);
  }

  get state(): EmulatorState {
    return this.ctx.state;
  }

  /** Runs a read: still sweeps, because a read after the 24 hours must not show the deleted device. */
  read<T>(fn: (ctx: ModelContext) => T): T {
    if (sweepTerminated(this.ctx)) this.commit();
    return fn(this.ctx);
  }

  /**
   * Runs a change and commits it. Rules validate before they change anything, so a refused change
   * (a thrown error) has nothing to save beyond what the sweep did.
   */
  mutate<T>(fn: (ctx: ModelContext) => T): T {
    const swept = sweepTerminated(this.ctx);
    let result: T;
    try {
      result = fn(this.ctx);
    } catch (err) {
      if (swept) this.commit();
      throw err;
    }
    this.commit();
    return result;
  }

  commit(): void {
    this.ctx.state.clockOffsetMs = this.clock.offset;
    this.persist(this.ctx.state);
  }

  advanceClock(seconds: number): void {
    this.clock.advance(seconds);
    this.mutate(() => pruneExpiredTokens(this.ctx));
  }

  /** Empty state; the default operator (and the tokens it holds) stays so running clients keep working. */
  reset(): void {
    const state = emptyState();
    const defaultId = this.defaultOperator.operatorId;
    state.operators[defaultId] = structuredClone(this.defaultOperator);
    for (const [token, issued] of Object.entries(this.ctx.state.tokens)) {
      if (issued.operatorId === defaultId) state.tokens[token] = issued;
    }
    this.ctx.state = state;
    this.commit();
  }
}

export type { ModelContext } from "./context";
export * from "./state";
