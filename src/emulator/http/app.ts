/** Builds the Hono application: body limits, API routes, control-plane routes, and the single error/404 mapping. */
import { Hono, type Context } from "hono";
import { EmulatorError } from "../errors";
import { mountApiRoutes } from "./api-routes";
import { bodyLimitFor, refuseDeclaredOversizedBodies } from "./body";
import { CONTROL_PREFIX, mountControlRoutes } from "./control-routes";
import { mountDashboard } from "./dashboard";
import { errorResponse } from "./error-mapper";
import { rateLimitHeaders } from "./operation";
import type { AppEnv, EmulatorRuntime } from "./runtime";

export function createApp(rt: EmulatorRuntime): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  /**
   * An answer given before any operation is known (unknown path, declared body too large). On the API
   * it carries the rate-limit headers like every API response, and is logged (a client calling a wrong
   * path is worth seeing) but not counted: it has no operationId.
   */
  const answerUnrouted = (c: Context<AppEnv>, err: EmulatorError): Response => {
    const url = new URL(c.req.url);
    const api = url.pathname.startsWith("/v1/");
    const res = errorResponse(err, c.req.header("x-soracom-lang"), api ? rateLimitHeaders(rt.rateLimiter.peek("noSuchPath", rt.model.clock.now())) : undefined);
    if (api) {
      const entry = rt.log.begin({ time: rt.model.clock.nowIso(), method: c.req.method, path: url.pathname + url.search, operation: null });
      entry.status = res.status;
    }
    return res;
  };
  app.use(
    "*",
    refuseDeclaredOversizedBodies((c) => bodyLimitFor(new URL(c.req.url).pathname, CONTROL_PREFIX), answerUnrouted),
  );
  mountApiRoutes(app, rt);
  mountControlRoutes(app, rt);
  mountDashboard(app, rt);
  // Errors thrown outside an API operation (control plane) take the same road.
  app.onError((err, c) => errorResponse(err, c.req.header("x-soracom-lang")));
  app.notFound((c) => answerUnrouted(c, new EmulatorError("noSuchPath")));
  return app;
}
