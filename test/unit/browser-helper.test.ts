import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { launchBrowser } from "../helpers/browser";

// Proves the browser the HTML checks rely on really runs scripts: a page computes a number.
describe("test browser (Debian chromium via playwright-core)", () => {
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    browser = await launchBrowser();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "browser-helper-"));
  });
  afterAll(async () => {
    await browser?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("renders a local page and runs its script", async () => {
    const file = path.join(dir, "page.html");
    fs.writeFileSync(file, `<!doctype html><p id="out">-</p><script>document.getElementById("out").textContent = String(6 * 7);</script>`);
    const page = await browser.newPage();
    await page.goto(`file://${file}`);
    expect(await page.locator("#out").textContent()).toBe("42");
  });
});
