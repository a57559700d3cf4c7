// What both browser scripts share: headless Chromium started with the
// flags this machine needs (no background networking: its connections
// are refused here), a fresh profile, every request that `allowed` does
// not accept aborted and recorded, page errors recorded, named steps that
// leave a screenshot on failure, and the ending that reports and exits.
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export async function open({ executablePath, out, prefix, allowed, javaScriptEnabled = true }) {
  const profile = mkdtempSync(join(tmpdir(), prefix));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    javaScriptEnabled,
    viewport: { width: 1280, height: 900 },
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
  const page = context.pages()[0] || (await context.newPage());
  const offsite = [];
  const errors = [];
  await page.route("**/*", (route) => {
    const u = route.request().url();
    if (allowed(u)) return route.continue();
    offsite.push(u);
    return route.abort();
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  const s = { page, offsite, errors, failed: false };

  // A named step: "ok" or "FAIL" and a full-page screenshot, then rethrow.
  s.step = async (name, fn, failureShot = "failure.png") => {
    try {
      await fn();
      console.log("ok   " + name);
    } catch (e) {
      s.failed = true;
      console.log("FAIL " + name + ": " + String(e).split("\n")[0]);
      await page.screenshot({ path: join(out, failureShot), fullPage: true }).catch(() => {});
      throw e;
    }
  };
  // The last step of every script: nothing loaded from elsewhere, and no
  // script error.
  s.nothingOffsite = (where) => {
    if (offsite.length) throw new Error("requests off the " + where + ": " + offsite.join(", "));
    if (errors.length) throw new Error("script errors: " + errors.join("; "));
  };
  // Run the steps in `body`, close everything, report as `label`, exit.
  s.run = async (label, body) => {
    try {
      await body();
    } catch {
      s.failed = true;
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
    console.log(s.failed ? label + ": FAILED" : label + ": all steps passed");
    process.exit(s.failed ? 1 : 0);
  };
  return s;
}
