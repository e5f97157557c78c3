import type { HttpBindings } from "@hono/node-server";
import type { FaultInjector } from "../control/faults";
import type { RateLimiter } from "../control/rate-limiter";
import type { RequestLog } from "../control/request-log";
import type { EmulatorModel } from "../model";

/** Everything the HTTP layer needs, created once per emulator instance (no module-level state). */
export interface EmulatorRuntime {
  model: EmulatorModel;
  rateLimiter: RateLimiter;
  faults: FaultInjector;
  log: RequestLog;
}

export type AppEnv = { Bindings: HttpBindings };
