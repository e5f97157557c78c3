/**
 * A real headless browser for tests of the HTML pages this project serves or writes (the emulator
 * dashboard, the drift report): Debian's `chromium`, installed by scripts/system-packages.sh (which
 * `npm test` runs), driven with playwright-core (no browser download: it uses the system binary).
 *
 * Usage:
 *   const browser = await launchBrowser();
 *   const page = await browser.newPage();
 *   await page.goto(url);            // http://127.0.0.1:PORT/... or file:///abs/path.html
 *   expect(await page.locator("#summary").textContent()).toContain("3 drifted");
 *   await browser.close();
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { chromium, type Browser } from "playwright-core";

/** The system chromium, or a clear error saying how to install it. */
export function chromiumPath(): string {
  for (const candidate of [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"]) {
    if (candidate && fs.existsSync(candidate)) return candidate;
  }
  try {
    return execFileSync("sh", ["-c", "command -v chromium"], { encoding: "utf8" }).trim();
  } catch {
    throw new Error("chromium is not installed: run `bash scripts/system-packages.sh chromium` (npm test does)");
  }
}

/**
 * Launches headless chromium with a fresh profile and no background networking (this machine has no
 * network: without these flags chromium keeps trying to reach Google's hosts).
 */
export async function launchBrowser(): Promise<Browser> {
  // playwright gives the browser a fresh temporary profile of its own.
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
