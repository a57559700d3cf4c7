// Drives the page of `mtus serve` in headless Chromium, as a person would:
// pick massage therapy, enter 8 visits and a date, read the outcome and
// "to pass", lower to 4 visits, document active therapy, export YAML;
// then a drug in 2019, whose prior authorization and RFA checks show.
// Usage: node page.mjs URL OUT_DIR CHROMIUM
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const AXE = join(dirname(fileURLToPath(import.meta.url)), "node_modules", "axe-core", "axe.min.js");
import { open } from "./session.mjs";

const [url, out, executablePath] = process.argv.slice(2);
// The page must load nothing from anywhere but the server.
const { page, step, nothingOffsite, run } = await open({
  executablePath,
  out,
  prefix: "mtus-browser-",
  allowed: (u) => u.startsWith(url) || u.startsWith("blob:") || u.startsWith("data:"),
});

const text = (sel) => page.locator(sel).innerText();
// axe-core in the page: no violation of serious or critical impact.
async function accessible(where) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.addScriptTag({ path: AXE });
  const bad = await page.evaluate(async () => (await window.axe.run(document)).violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => v.impact + " " + v.id + ": " + v.help + " at " + v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")));
  if (bad.length) throw new Error("accessibility (" + where + "): " + bad.join("; "));
}
// The main view speaks words: no fact path (request.quantity) nor
// criterion ID (massage_therapy.visit_limit) in the verdict or advice.
async function plain(ids) {
  for (const id of ids) {
    const t = await text("#" + id);
    const m = /\b[a-z]+_[a-z_]*\.[a-z_]+|\b(request|course|history|exam|opioids)\.[a-z_]+/.exec(t);
    if (m) throw new Error("#" + id + " shows `" + m[0] + "`: " + t);
  }
}
const outcomeIs = (want) =>
  page.waitForFunction((w) => {
    const o = document.getElementById("outcome");
    return o && !o.hidden && o.textContent === w;
  }, want, { timeout: 10000 });

await run("browser", async () => {
  await step("the page opens with a treatment list", async () => {
    await page.goto(url);
    await page.locator("#treatment option[value=massage_therapy]").waitFor({ state: "attached" });
    await page.screenshot({ path: join(out, "01-open.png") });
    await accessible("the page opened");
  });
  await step("8 visits of massage on 2015-05-06: NOT MEDICALLY NECESSARY, the nearest request is 6 visits", async () => {
    await page.selectOption("#treatment", "massage_therapy");
    await page.fill("#date", "2015-05-06");
    const qty = page.locator('[id="f-request.quantity"] [data-part=amount]');
    await qty.waitFor();
    await qty.fill("8");
    await outcomeIs("NOT MEDICALLY NECESSARY");
    const topass = await text("#topass");
    if (!/Cannot pass as requested: No more than 4-6 visits/.test(topass)) throw new Error("to pass says: " + topass);
    if (!/nearest request that passes: Total amount requested: 6 visit \(now 8 visit\)/.test(topass)) throw new Error("to pass says: " + topass);
    // What to document for it, with the value that passes, in words.
    if (!/Concurrent active treatment: yes/.test(topass)) throw new Error("to pass says: " + topass);
    const decider = await text("#decider");
    if (!decider.includes("Decided by: No more than 4-6 visits")) throw new Error("decider says: " + decider);
    await plain(["outcome", "decider", "topass", "provisional"]);
    // The verdict is announced; the IDs are kept in the details.
    if ((await page.getAttribute("#verdict", "aria-live")) !== "polite") throw new Error("the verdict is not a live region");
    if (!(await page.locator("#techs").textContent()).includes("massage_therapy.visit_limit")) throw new Error("no criterion ID in the details");
    await accessible("a result shown");
    await page.screenshot({ path: join(out, "02-eight-visits.png"), fullPage: true });
  });
  await step("4 visits: the outcome changes (insufficient documentation: questions to answer)", async () => {
    await page.locator('[id="f-request.quantity"] [data-part=amount]').fill("4");
    await outcomeIs("2 questions to answer");
    const topass = await text("#topass");
    if (/nearest request/.test(topass) || !topass.includes("Concurrent active treatment")) throw new Error("to pass says: " + topass);
    // `a or b`: either one, said so.
    if (!/document any one of:/.test(topass) || !/Concurrent active treatment: yes/.test(topass) || !/An active home exercise program is in place: yes/.test(topass)) {
      throw new Error("to pass says: " + topass);
    }
    await plain(["outcome", "decider", "topass"]);
    await page.screenshot({ path: join(out, "03-four-visits.png"), fullPage: true });
  });
  await step("active therapy documented: MEDICALLY NECESSARY", async () => {
    await page.selectOption('[id="f-course.active_therapy"]', "true");
    await outcomeIs("MEDICALLY NECESSARY");
    await page.screenshot({ path: join(out, "04-necessary.png"), fullPage: true });
    await accessible("medically necessary");
  });
  await step("800 px wide: one column, nothing clipped", async () => {
    await page.setViewportSize({ width: 800, height: 900 });
    const [left, right, sw] = await page.evaluate(() => [
      document.getElementById("left").getBoundingClientRect(),
      document.getElementById("right").getBoundingClientRect(),
      document.documentElement.scrollWidth,
    ].map((x) => (typeof x === "number" ? x : { top: x.top, bottom: x.bottom, right: x.right })));
    if (right.top < left.bottom) throw new Error("the result is beside the form, not under it");
    if (sw > 800) throw new Error("the page is " + sw + " px wide at 800");
    await page.screenshot({ path: join(out, "04b-800px.png"), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  });
  await step("the print view: the result without the form", async () => {
    await page.emulateMedia({ media: "print" });
    if (await page.locator("#left").isVisible()) throw new Error("the form is printed");
    if (!(await page.locator("#outcome").isVisible())) throw new Error("the verdict is not printed");
    const printed = await text("#printed");
    if (!/Massage therapy.*requested on 2015-05-06/.test(printed) || !/Documented: concurrent active treatment\? yes/.test(printed) || /also called/.test(printed)) throw new Error("the print says: " + printed);
    await page.screenshot({ path: join(out, "04c-print.png"), fullPage: true });
    await page.emulateMedia({ media: "screen" });
  });
  await step("a value out of range is marked on its field", async () => {
    const qty = page.locator('[id="f-request.quantity"] [data-part=amount]');
    await qty.fill("-3");
    await page.waitForFunction(() => document.querySelector('[id="f-request.quantity"] [data-part=amount]').getAttribute("aria-invalid") === "true");
    const msg = await text('[id="m-request.quantity"]');
    if (!/Check this value: enter a number from 0/.test(msg)) throw new Error("the message says: " + msg);
    await qty.fill("4");
    await outcomeIs("MEDICALLY NECESSARY");
    if (await qty.getAttribute("aria-invalid")) throw new Error("still marked invalid at 4");
  });
  await step("export: the case as YAML", async () => {
    await page.click("#export");
    await page.waitForFunction(() => !document.getElementById("yaml").hidden);
    const yaml = await text("#yaml");
    for (const want of ["case: web-check", "active_therapy: true", "quantity: 4 visit", "date: 2015-05-06"]) {
      if (!yaml.includes(want)) throw new Error("no `" + want + "` in:\n" + yaml);
    }
    await page.screenshot({ path: join(out, "05-export.png"), fullPage: true });
  });
  await step("a drug in 2019: prior authorization and the RFA checks are shown", async () => {
    await page.selectOption("#treatment", "cyclobenzaprine");
    await page.fill("#date", "2019-03-01");
    const qty = page.locator('[id="f-request.quantity"] [data-part=amount]');
    await page.waitForFunction(() => {
      const u = document.querySelector('[id="f-request.quantity"] [data-part=unit]');
      return u && [...u.options].some((o) => o.value === "tablet");
    });
    await qty.fill("90");
    await page.selectOption('[id="f-request.quantity"] [data-part=unit]', "tablet");
    await page.waitForFunction(() => document.getElementById("auth").textContent.includes("Before submitting"), null, { timeout: 10000 });
    const auth = await text("#auth");
    if (!auth.includes("Prior authorization")) throw new Error("authorization section says: " + auth);
    // No command-line flag in the main view: kept in the details.
    if (/ --[a-z]/.test(auth)) throw new Error("a flag in the authorization section: " + auth);
    if (!(await page.locator("#techs").textContent()).includes("--drug-list")) throw new Error("the flag is not in the details");
    // Exclusions keep their tag and read "excludes" / "does not exclude",
    // never "met" beside the excluding condition.
    await page.locator("#details summary").click();
    const trace = await text("#trace");
    if (!trace.includes("(exclusion)")) throw new Error("no exclusion tag in the trace: " + trace);
    for (const line of trace.split("\n")) {
      if (/\(exclusion\)/.test(line) && /^\s*met\b/.test(line)) throw new Error("an exclusion reads met: " + line);
    }
    await page.screenshot({ path: join(out, "06-drug.png"), fullPage: true });
  });
  await step("12 physical therapy visits for a knee in 2025: the pass says no guideline limit is encoded", async () => {
    await page.selectOption("#treatment", "physical_therapy");
    await page.fill("#date", "2025-03-01");
    const qty = page.locator('[id="f-request.quantity"] [data-part=amount]');
    await page.waitForFunction(() => {
      const u = document.querySelector('[id="f-request.quantity"] [data-part=unit]');
      return u && [...u.options].some((o) => o.value === "visit");
    });
    await qty.fill("12");
    await page.selectOption('[id="f-request.quantity"] [data-part=unit]', "visit");
    await outcomeIs("MEDICALLY NECESSARY");
    const decider = await text("#decider");
    if (!/no guideline limit on request\.quantity is encoded/.test(decider)) throw new Error("beside the verdict: " + decider);
    // The list marks what no rule decides on 2025-03-01.
    await page.waitForFunction(() => [...document.querySelectorAll("#treatment option")].some((o) => /no rule in force on 2025-03-01/.test(o.textContent)));
    await page.screenshot({ path: join(out, "07-knee-2025.png"), fullPage: true });
  });
  await step("nothing loaded from elsewhere, no script error", async () => nothingOffsite("server"));
});
