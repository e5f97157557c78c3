/**
 * The dashboard: `GET /_emulator/ui`, one small read-only HTML page (inline CSS and JS, no CDN, works
 * offline) that polls `GET /_emulator/overview` and shows operators, devices (with a text filter), the
 * recent request log, active faults and the rate-limit settings.
 *
 * The overview is a view made for people: no PACs (unlike `/_emulator/state`), no keys, passwords or
 * tokens; request log entries are the log's own (method, path, status: never headers or bodies). The
 * page writes every value with `textContent`, so a tag value cannot inject markup.
 */
import type { Hono } from "hono";
import type { RequestLogEntry } from "../control/request-log";
import { CONTROL_PREFIX } from "./control-routes";
import { dumpState } from "./state-dump";
import type { AppEnv, EmulatorRuntime } from "./runtime";

/** Request log entries the overview carries, newest first. */
export const OVERVIEW_REQUESTS = 200;
/** How often the page polls, unless `?refresh=<ms>` says otherwise. */
export const DEFAULT_REFRESH_MS = 2000;

export interface Overview {
  clock: string;
  operators: { operatorId: string; email?: string; devices: number; activeTokens: number }[];
  devices: {
    deviceId: string;
    operatorId: string | null;
    status: string;
    groupId: string | null;
    tags: Record<string, string>;
    terminationEnabled: boolean;
    lastSeen: string | null;
    lastModifiedTime: string;
  }[];
  requests: RequestLogEntry[];
  faults: unknown;
  rateLimits: unknown;
}

export function overview(rt: EmulatorRuntime): Overview {
  const state = dumpState(rt);
  return {
    clock: state.clock.now,
    operators: state.operators.map(({ operatorId, email, activeTokens }) => ({
      operatorId,
      ...(email !== undefined ? { email } : {}),
      devices: state.devices.filter((d) => d.ownerOperatorId === operatorId).length,
      activeTokens,
    })),
    devices: state.devices.map((d) => ({
      deviceId: d.deviceId,
      operatorId: d.ownerOperatorId,
      status: d.status,
      groupId: d.groupId,
      tags: d.tags,
      terminationEnabled: d.terminationEnabled,
      lastSeen: d.lastSeen?.time ?? null,
      lastModifiedTime: d.lastModifiedTime,
    })),
    requests: rt.log.list().slice(-OVERVIEW_REQUESTS).reverse(),
    faults: state.faults,
    rateLimits: state.rateLimits,
  };
}

export function mountDashboard(app: Hono<AppEnv>, rt: EmulatorRuntime): void {
  app.get(`${CONTROL_PREFIX}/overview`, (c) => c.json(overview(rt)));
  app.get(`${CONTROL_PREFIX}/ui`, (c) => c.html(DASHBOARD_HTML));
}

const DASHBOARD_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sigfox API emulator</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:13px/1.4 system-ui,sans-serif;margin:1em 2em;color:#222}
h1{font-size:18px}h2{font-size:15px;margin:1.2em 0 .3em}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}
th{background:#f4f4f4}code,td.m{font-family:ui-monospace,monospace}
.s4{color:#b00}.s5{color:#b00;font-weight:bold}.s2{color:#070}
#status{color:#666}input{font:inherit;padding:2px 4px;width:20em}
</style></head><body>
<h1>Soracom Sigfox API emulator</h1>
<p id="status">loading…</p>
<h2>Operators</h2>
<table id="operators"><thead><tr><th>operator</th><th>email</th><th>devices</th><th>active tokens</th></tr></thead><tbody></tbody></table>
<h2>Devices <span id="device-count"></span></h2>
<p><input id="filter" type="search" placeholder="filter: ID, status, group, tag…" aria-label="filter devices"></p>
<table id="devices"><thead><tr><th>device</th><th>operator</th><th>status</th><th>group</th><th>tags</th><th>termination</th><th>last seen</th></tr></thead><tbody></tbody></table>
<h2>Faults</h2>
<table id="faults"><thead><tr><th>id</th><th>operation</th><th>effect</th><th>remaining</th><th>applied</th></tr></thead><tbody></tbody></table>
<h2>Rate limits</h2>
<p id="rate-limits"></p>
<h2>Recent requests</h2>
<table id="requests"><thead><tr><th>#</th><th>time</th><th>method</th><th>path</th><th>operation</th><th>status</th><th>fault</th><th>ms</th></tr></thead><tbody></tbody></table>
<script>
(function () {
  var refresh = Number(new URLSearchParams(location.search).get("refresh")) || ${DEFAULT_REFRESH_MS};
  var data = null;
  function row(tbody, cells, attrs) {
    var tr = document.createElement("tr");
    for (var k in attrs || {}) tr.setAttribute(k, attrs[k]);
    cells.forEach(function (c) {
      var td = document.createElement("td");
      if (c && typeof c === "object") { td.textContent = c.text; if (c.cls) td.className = c.cls; } else td.textContent = c === null || c === undefined ? "" : String(c);
      tr.appendChild(td);
    });
    tbody.appendChild(tr);
  }
  function body(id) { var t = document.querySelector("#" + id + " tbody"); t.textContent = ""; return t; }
  function tagText(tags) { return Object.keys(tags).map(function (k) { return k + "=" + tags[k]; }).join(", "); }
  function render() {
    if (!data) return;
    var ops = body("operators");
    data.operators.forEach(function (o) { row(ops, [o.operatorId, o.email, o.devices, o.activeTokens]); });
    var needle = document.getElementById("filter").value.trim().toLowerCase();
    var devs = body("devices"), shown = 0;
    data.devices.forEach(function (d) {
      var cells = [d.deviceId, d.operatorId || "(network)", d.status, d.groupId, tagText(d.tags), d.terminationEnabled ? "enabled" : "protected", d.lastSeen];
      if (needle && cells.join(" ").toLowerCase().indexOf(needle) < 0) return;
      shown++;
      row(devs, cells, { "data-device-id": d.deviceId });
    });
    document.getElementById("device-count").textContent = "(" + shown + " of " + data.devices.length + ")";
    var fs = body("faults");
    data.faults.forEach(function (f) {
      var effect = [f.status ? "status " + f.status : "", f.latencyMs ? "latency " + f.latencyMs + " ms" : "", f.drop ? "drop " + f.drop : "", f.probability !== undefined ? "p=" + f.probability : ""].filter(Boolean).join(", ");
      row(fs, [f.id, f.operation, effect, f.remaining === null ? "unlimited" : f.remaining, f.applied], { "data-fault-id": f.id });
    });
    var rl = data.rateLimits;
    document.getElementById("rate-limits").textContent = rl.enabled ? "on: " + rl.limitPerMinute + " requests per minute per operator and operation" + (rl.perOperation ? "; " + JSON.stringify(rl.perOperation) : "") : "off";
    var rs = body("requests");
    data.requests.forEach(function (r) {
      var st = r.status === null ? "dropped" : r.status;
      row(rs, [r.seq, r.time, r.method, { text: r.path, cls: "m" }, r.operation, { text: String(st), cls: "s" + String(st).charAt(0) }, r.fault, r.durationMs], { "data-seq": r.seq });
    });
  }
  function poll() {
    fetch("${CONTROL_PREFIX}/overview", { cache: "no-store" })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (d) { data = d; render(); document.getElementById("status").textContent = "emulator clock " + d.clock + "; refreshed " + new Date().toLocaleTimeString() + " (every " + refresh / 1000 + " s)"; })
      .catch(function (e) { document.getElementById("status").textContent = "cannot reach the emulator: " + e.message; })
      .then(function () { setTimeout(poll, refresh); });
  }
  document.getElementById("filter").addEventListener("input", render);
  poll();
})();
</script></body></html>
`;
