import type { Clock } from "../clock";
import type { EmulatorState } from "./state";

/** What every model function works on: the state, the clock, and which operator is the default one. */
export interface ModelContext {
  state: EmulatorState;
  clock: Clock;
  defaultOperatorId: string;
}
