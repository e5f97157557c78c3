/**
 * The dashboard at /_emulator/ui in a real headless browser (Debian chromium): after a few API calls it
 * shows the devices, the request log, the faults and the rate limits; the filter narrows the device
 * rows; nothing secret (PAC, keys, tokens) reaches the page.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../src/emulator";
import { launchBrowser } from "../helpers/browser";
import { Api } from "./harness";

const PAC = "0123456789ABCDEF";
const GROUP = "11111111-2222-4333-8444-555555555555";
const OP = "OP0012345678";

let emu: RunningEmulator;
let browser: Browser;
let page: Page;
let api: Api;

beforeAll(async () => {
  emu = await startEmulator({
    seed: {
      groups: [{ groupId: GROUP }],
      devices: [
        { deviceId: "1A2B3C", pac: PAC },
        { deviceId: "4D5E6F", ownerOperatorId: OP, tags: { site: "osaka" }, terminationEnabled: true },
        { deviceId: "7A8B9C", ownerOperatorId: OP, tags: { site: "kobe", "<b>x</b>": "<script>bad()</script>" } },
      ],
    },
  });
  api = new Api(emu.url);
  await api.login({ authKeyId: emu.credentials.authKeyId, authKey: emu.credentials.authKey });
  expect((await api.post("/sigfox_devices/1A2B3C/register", { body: { registrationSecret: PAC, tags: { site: "tokyo" } } })).status).toBe(200);
  expect((await api.post("/sigfox_devices/1A2B3C/set_group", { body: { groupId: GROUP } })).status).toBe(200);
  expect((await api.get("/sigfox_devices/FFFF")).status).toBe(404);
  await emu.control.uplink("4D5E6F", { data: "01" });
  await emu.control.injectFault({ operation: "putSigfoxDeviceTags", status: 503, count: 2 });
  await emu.control.setRateLimits({ enabled: true, limitPerMinute: 600 });
  browser = await launchBrowser();
  page = await browser.newPage();
  await page.goto(`${emu.url}/_emulator/ui?refresh=200`);
  await page.locator("#devices tbody tr").first().waitFor();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await emu?.close();
});

const cellsOf = (selector: string) =>
  // The callback runs in the page (the test's tsconfig has no DOM types).
  page.locator(selector).evaluateAll((rows: any[]) => rows.map((r: any): string[] => Array.from(r.querySelectorAll("td"), (td: any) => String(td.textContent ?? ""))));
/** Waits until an expression evaluated in the page is true. */
const until = (expression: string) => page.waitForFunction(expression);

describe("the dashboard", () => {
  it("shows every device with status, operator, group, tags, termination flag and last seen", async () => {
    const rows = await cellsOf("#devices tbody tr");
    const byId = Object.fromEntries(rows.map((r) => [r[0], r]));
    expect(Object.keys(byId).sort()).toEqual(["1A2B3C", "4D5E6F", "7A8B9C"]);
    expect(byId["1A2B3C"]!.slice(0, 6)).toEqual(["1A2B3C", OP, "ready", GROUP, "site=tokyo", "protected"]);
    expect(byId["4D5E6F"]![2]).toBe("active");
    expect(byId["4D5E6F"]![5]).toBe("enabled");
    expect(byId["4D5E6F"]![6]).toMatch(/^\d{4}-\d\d-\d\dT/);
    // Markup in tags is shown as text, never run.
    expect(byId["7A8B9C"]![4]).toContain("<script>bad()</script>");
    expect(await page.locator("#devices script, #devices b").count()).toBe(0);
  });

  it("shows the request log (method, path, status) newest first, and the operators", async () => {
    const rows = await cellsOf("#requests tbody tr");
    const seen = rows.map((r) => `${r[2]} ${r[3]} ${r[5]}`);
    expect(seen).toEqual(["GET /v1/sigfox_devices/FFFF 404", "POST /v1/sigfox_devices/1A2B3C/set_group 200", "POST /v1/sigfox_devices/1A2B3C/register 200", "POST /v1/auth 200"]);
    const operators = await cellsOf("#operators tbody tr");
    expect(operators).toEqual([[OP, "emulator@example.com", "3", "1"]]);
  });

  it("shows the active faults and the rate limits", async () => {
    expect(await cellsOf("#faults tbody tr")).toEqual([["1", "putSigfoxDeviceTags", "status 503", "2", "0"]]);
    expect(await page.locator("#rate-limits").textContent()).toContain("600 requests per minute");
  });

  it("refreshes itself: a new call and a cleared fault appear without reloading", async () => {
    await api.get("/sigfox_devices/4D5E6F");
    await emu.control.clearFaults();
    await until(`document.querySelector("#requests tbody tr td:nth-child(4)")?.textContent === "/v1/sigfox_devices/4D5E6F"`);
    await until(`document.querySelectorAll("#faults tbody tr").length === 0`);
  });

  it("the filter narrows the device rows", async () => {
    await page.locator("#filter").fill("osaka");
    await until(`document.querySelectorAll("#devices tbody tr").length === 1`);
    expect((await cellsOf("#devices tbody tr")).map((r) => r[0])).toEqual(["4D5E6F"]);
    await page.locator("#filter").fill("ready");
    await until(`document.querySelectorAll("#devices tbody tr").length === 2`);
    expect((await cellsOf("#devices tbody tr")).map((r) => r[0]).sort()).toEqual(["1A2B3C", "7A8B9C"]);
    await page.locator("#filter").fill("");
    await until(`document.querySelectorAll("#devices tbody tr").length === 3`);
  });

  it("is small, self-contained (no external URL) and carries no secret", async () => {
    const html = await (await fetch(`${emu.url}/_emulator/ui`)).text();
    expect(html.length).toBeLessThan(8 * 1024);
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
    const overview = await (await fetch(`${emu.url}/_emulator/overview`)).text();
    const shown = (await page.content()) + overview;
    for (const secret of [PAC, emu.credentials.authKey, api.token, api.apiKey, "emulator-password"]) expect(shown).not.toContain(secret);
  });
});
