// The headless Chromium the browser tests drive: the one @sparticuz/chromium ships inside its npm
// package (Linux x64), else the machine's own Chrome or Chromium. Nothing is downloaded.
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/** The machine's network is closed, and a test run wants no background traffic anyway. */
const QUIET = ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

/** Flags of @sparticuz/chromium's set (made for AWS Lambda) that would weaken the page under test. */
const WEAKENING = new Set([
  "--disable-web-security",
  "--allow-running-insecure-content",
  "--disable-site-isolation-trials",
  "--single-process",
]);

const MACHINE_BROWSERS = [
  process.env.CHROME_PATH,
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
  "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
  "/Applications/Chromium.app/Contents/MacOS/Chromium",
  "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
];

export async function launchBrowser(): Promise<Browser> {
  if (!process.env.CHROME_PATH && process.platform === "linux" && process.arch === "x64") {
    const { default: packaged } = await import("@sparticuz/chromium");
    const args = packaged.args.filter((arg) => !WEAKENING.has(arg));
    return chromium.launch({ executablePath: await packaged.executablePath(), args: [...args, ...QUIET], headless: true });
  }
  const executablePath = MACHINE_BROWSERS.find((path) => path !== undefined && existsSync(path));
  if (!executablePath)
    throw new Error("no Chromium found: @sparticuz/chromium ships one for Linux x64 only; install Chrome or set CHROME_PATH");
  return chromium.launch({ executablePath, args: QUIET, headless: true });
}
