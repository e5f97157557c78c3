/** Builds the Hono application: API routes, control-plane routes, and the single error/404 mapping. */
import { Hono } from "hono";
import { EmulatorError } from "../errors";
import { mountApiRoutes } from "./api-routes";
import { mountControlRoutes } from "./control-routes";
import { errorResponse } from "./error-mapper";
import { rateLimitHeaders } from "./operation";
import type { AppEnv, EmulatorRuntime } from "./runtime";

export function createApp(rt: EmulatorRuntime): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  mountApiRoutes(app, rt);
  mountControlRoutes(app, rt);
  // Errors thrown outside an API operation (control plane) take the same road.
  app.onError((err, c) => errorResponse(err, c.req.header("x-soracom-lang")));
  app.notFound((c) => {
    const url = new URL(c.req.url);
    const api = url.pathname.startsWith("/v1/");
    // Every API response carries the rate-limit headers, a 404 for an unknown path too (nothing is counted).
    const res = errorResponse(new EmulatorError("noSuchPath"), c.req.header("x-soracom-lang"), api ? rateLimitHeaders(rt.rateLimiter.peek("noSuchPath", rt.model.clock.now())) : undefined);
    // Unknown API paths are logged (a client calling a wrong path is worth seeing) but not counted: they have no operationId.
    if (api) {
      const entry = rt.log.begin({ time: rt.model.clock.nowIso(), method: c.req.method, path: url.pathname + url.search, operation: null });
      entry.status = res.status;
    }
    return res;
  });
  return app;
}
