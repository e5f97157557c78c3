/**
 * The control plane under `/_emulator` (no auth, JSON): what tests and demos use to set up the world
 * and observe the API's behaviour. See the table in docs/ARCHITECTURE.md.
 */
import type { Context, Hono } from "hono";
import type { z } from "zod";
import {
  ClockAdvanceRequest,
  DevicePatch,
  FaultRequest,
  RateLimitConfig,
  SeedRequest,
  UplinkRequest,
} from "../control/schemas";
import * as control from "../model/control";
import { dumpState } from "./state-dump";
import { MAX_CONTROL_BODY_BYTES, readJsonBody } from "./body";
import { toWireDataEntry, toWireDevice } from "./mapping";
import type { AppEnv, EmulatorRuntime } from "./runtime";

export const CONTROL_PREFIX = "/_emulator";

export function mountControlRoutes(app: Hono<AppEnv>, rt: EmulatorRuntime): void {
  const { model } = rt;
  const body = async <T extends z.ZodType>(c: Context<AppEnv>, schema: T): Promise<z.infer<T>> =>
    schema.parse((await readJsonBody(c, MAX_CONTROL_BODY_BYTES)) ?? {});
  const P = CONTROL_PREFIX;

  app.get(`${P}/health`, (c) => c.json({ ok: true }));

  app.post(`${P}/reset`, (c) => {
    model.reset();
    rt.faults.clear();
    rt.log.clear();
    rt.rateLimiter.clearWindows();
    return c.json({ ok: true });
  });

  app.post(`${P}/seed`, async (c) => {
    const req = await body(c, SeedRequest);
    return c.json(model.mutate((ctx) => control.seed(ctx, req)));
  });

  app.get(`${P}/state`, (c) => c.json(dumpState(rt)));

  app.get(`${P}/clock`, (c) => c.json(model.clock.snapshot()));
  app.post(`${P}/clock/advance`, async (c) => {
    const req = await body(c, ClockAdvanceRequest);
    model.advanceClock(req.seconds);
    return c.json(model.clock.snapshot());
  });

  app.post(`${P}/devices/:id/uplink`, async (c) => {
    const req = await body(c, UplinkRequest);
    const result = model.mutate((ctx) => control.uplink(ctx, c.req.param("id"), req));
    return c.json({
      device: toWireDevice(result.device),
      dataEntry: toWireDataEntry(result.device.deviceId, result.entry),
      deliveredDownlink: result.deliveredDownlink,
    });
  });

  app.patch(`${P}/devices/:id`, async (c) => {
    const patch = await body(c, DevicePatch);
    return c.json(toWireDevice(model.mutate((ctx) => control.patchDevice(ctx, c.req.param("id"), patch))));
  });

  app.delete(`${P}/devices/:id`, (c) => {
    const forget = c.req.query("forget") === "true";
    return c.json(model.mutate((ctx) => control.removeDevice(ctx, c.req.param("id"), forget)));
  });

  app.get(`${P}/faults`, (c) => c.json(rt.faults.list()));
  app.post(`${P}/faults`, async (c) => c.json(rt.faults.add(await body(c, FaultRequest)), 201));
  app.delete(`${P}/faults`, (c) => {
    rt.faults.clear();
    return c.json({ ok: true });
  });

  app.get(`${P}/requests`, (c) => c.json(rt.log.list()));
  app.delete(`${P}/requests`, (c) => {
    rt.log.clear();
    return c.json({ ok: true });
  });
  app.get(`${P}/calls`, (c) => c.json(rt.log.calls()));

  app.get(`${P}/rate-limits`, (c) => c.json(rt.rateLimiter.getConfig()));
  app.put(`${P}/rate-limits`, async (c) => {
    rt.rateLimiter.configure(await body(c, RateLimitConfig));
    return c.json(rt.rateLimiter.getConfig());
  });
}
