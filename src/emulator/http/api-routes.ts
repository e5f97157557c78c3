/**
 * `/v1`: `POST /auth` and the 12 Sigfox operations on their real paths, each a few lines of mapping
 * around one model call. Bodies are parsed with the shared wire schemas from src/api/schemas.ts.
 */
import type { Hono } from "hono";
import {
  AuthRequest,
  SetGroupRequest,
  SigfoxData,
  SigfoxRegistrationRequest,
  TagUpdateRequestList,
} from "../../api/schemas";
import { fail } from "../errors";
import { authenticate } from "../model/auth";
import * as devices from "../model/devices";
import { readJsonBody } from "./body";
import { nextPageHeaders, parseDataQuery, parseListQuery, toWireDataEntry, toWireDevice } from "./mapping";
import { apiOperation } from "./operation";
import type { AppEnv, EmulatorRuntime } from "./runtime";

const DEVICE = "/v1/sigfox_devices/:device_id";

export function mountApiRoutes(app: Hono<AppEnv>, rt: EmulatorRuntime): void {
  const { model } = rt;
  const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
  const param = (c: { req: { param(name: string): string | undefined } }, name: string): string => c.req.param(name) ?? "";

  app.post(
    "/v1/auth",
    apiOperation(rt, "auth", async ({ c }) => {
      // tokenTimeoutSeconds outside 180..172800 fails here: 400 like the real API.
      const body = AuthRequest.parse((await readJsonBody(c)) ?? {});
      const result = model.mutate((ctx) => authenticate(ctx, body));
      const { tokenTimeoutSeconds: _timeout, ...wire } = result;
      return json(wire);
    }),
  );

  app.get(
    "/v1/sigfox_devices",
    apiOperation(rt, "listSigfoxDevices", ({ url, operatorId }) => {
      const query = parseListQuery(url);
      const page = model.read((ctx) => devices.listDevices(ctx, operatorId, query));
      return json(page.items.map(toWireDevice), 200, nextPageHeaders(url, page.nextKey));
    }),
  );

  app.get(
    DEVICE,
    apiOperation(rt, "getSigfoxDevice", ({ c, operatorId }) =>
      json(toWireDevice(model.read((ctx) => devices.findOwnedDevice(ctx, operatorId, param(c, "device_id"))))),
    ),
  );

  app.get(
    `${DEVICE}/data`,
    apiOperation(rt, "getDataFromSigfoxDevice", ({ c, url, operatorId }) => {
      const query = parseDataQuery(url);
      const page = model.read((ctx) => devices.getData(ctx, operatorId, param(c, "device_id"), query));
      return json(page.items.map((e) => toWireDataEntry(page.device.deviceId, e)), 200, nextPageHeaders(url, page.nextKey));
    }),
  );

  app.post(
    `${DEVICE}/data`,
    apiOperation(rt, "sendDataToSigfoxDevice", async ({ c, operatorId }) => {
      const body = SigfoxData.safeParse((await readJsonBody(c)) ?? {});
      if (!body.success) return fail("invalidDownlinkData");
      model.mutate((ctx) => devices.queueDownlink(ctx, operatorId, param(c, "device_id"), body.data.data));
      return new Response(null, { status: 202 });
    }),
  );

  for (const [path, op, enabled] of [
    ["disable_termination", "disableTerminationOnSigfoxDevice", false],
    ["enable_termination", "enableTerminationOnSigfoxDevice", true],
  ] as const) {
    app.post(
      `${DEVICE}/${path}`,
      apiOperation(rt, op, ({ c, operatorId }) =>
        json(toWireDevice(model.mutate((ctx) => devices.setTerminationEnabled(ctx, operatorId, param(c, "device_id"), enabled)))),
      ),
    );
  }

  app.post(
    `${DEVICE}/register`,
    apiOperation(rt, "registerSigfoxDevice", async ({ c, operatorId }) => {
      const body = SigfoxRegistrationRequest.parse((await readJsonBody(c)) ?? {});
      return json(toWireDevice(model.mutate((ctx) => devices.registerDevice(ctx, operatorId, param(c, "device_id"), body))));
    }),
  );

  app.post(
    `${DEVICE}/set_group`,
    apiOperation(rt, "setSigfoxDeviceGroup", async ({ c, operatorId }) => {
      const body = SetGroupRequest.parse((await readJsonBody(c)) ?? {});
      return json(toWireDevice(model.mutate((ctx) => devices.setGroup(ctx, operatorId, param(c, "device_id"), body.groupId))));
    }),
  );

  app.post(
    `${DEVICE}/unset_group`,
    apiOperation(rt, "unsetSigfoxDeviceGroup", ({ c, operatorId }) =>
      json(toWireDevice(model.mutate((ctx) => devices.unsetGroup(ctx, operatorId, param(c, "device_id"))))),
    ),
  );

  app.put(
    `${DEVICE}/tags`,
    apiOperation(rt, "putSigfoxDeviceTags", async ({ c, operatorId }) => {
      const body = TagUpdateRequestList.parse(await readJsonBody(c));
      return json(toWireDevice(model.mutate((ctx) => devices.putTags(ctx, operatorId, param(c, "device_id"), body))));
    }),
  );

  // `:tag_name` is one path segment: Hono matches on the path with `%2F` still encoded and decodes the
  // parameter afterwards, so a tag named "a/b" (sent as `a%2Fb`) reaches us whole.
  app.delete(
    `${DEVICE}/tags/:tag_name`,
    apiOperation(rt, "deleteSigfoxDeviceTag", ({ c, operatorId }) => {
      model.mutate((ctx) => devices.deleteTag(ctx, operatorId, param(c, "device_id"), param(c, "tag_name")));
      return new Response(null, { status: 204 });
    }),
  );

  app.post(
    `${DEVICE}/terminate`,
    apiOperation(rt, "terminateSigfoxDevice", ({ c, url, operatorId }) => {
      const raw = url.searchParams.get("delete_immediately");
      if (raw !== null && raw !== "true" && raw !== "false") return fail("invalidQuery", "delete_immediately must be true or false");
      const result = model.mutate((ctx) => devices.terminateDevice(ctx, operatorId, param(c, "device_id"), raw === "true"));
      const wire: Record<string, unknown> = { ...toWireDevice(result.device) };
      // Undocumented field name: the new PAC comes back as `registrationSecret`, the name `register` takes it under.
      if (result.newPac !== undefined) wire["registrationSecret"] = result.newPac;
      return json(wire);
    }),
  );
}
