// Drives the page of `mtus serve` in headless Chromium, as a person would:
// pick massage therapy, enter 8 visits and a date, read the outcome and
// "to pass", lower to 4 visits, document active therapy, export YAML;
// then a drug in 2019, whose prior authorization and RFA checks show.
// Usage: node page.mjs URL OUT_DIR CHROMIUM
import { join } from "node:path";
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
  });
  await step("8 visits of massage on 2015-05-06: NOT MEDICALLY NECESSARY, the nearest request is 6 visits", async () => {
    await page.selectOption("#treatment", "massage_therapy");
    await page.fill("#date", "2015-05-06");
    const qty = page.locator('[aria-label="request.quantity amount"]');
    await qty.waitFor();
    await qty.fill("8");
    await outcomeIs("NOT MEDICALLY NECESSARY");
    const topass = await text("#topass");
    if (!/Cannot pass as requested: massage_therapy\.visit_limit/.test(topass)) throw new Error("to pass says: " + topass);
    if (!/nearest request that passes: request\.quantity 6 visit \(now 8 visit\)/.test(topass)) throw new Error("to pass says: " + topass);
    // What to document for it, with the value that passes.
    if (!/course\.active_therapy as true/.test(topass)) throw new Error("to pass says: " + topass);
    const decider = await text("#decider");
    if (!decider.includes("massage_therapy.visit_limit") || !decider.includes("Massage therapy")) {
      throw new Error("decider says: " + decider);
    }
    await page.screenshot({ path: join(out, "02-eight-visits.png"), fullPage: true });
  });
  await step("4 visits: the outcome changes (insufficient documentation: questions to answer)", async () => {
    await page.locator('[aria-label="request.quantity amount"]').fill("4");
    await outcomeIs("2 questions to answer");
    const topass = await text("#topass");
    if (/nearest request/.test(topass) || !topass.includes("course.active_therapy")) throw new Error("to pass says: " + topass);
    // `a or b`: either one, said so.
    if (!/document any one of:/.test(topass) || !/course\.active_therapy as true/.test(topass) || !/course\.home_exercise as true/.test(topass)) {
      throw new Error("to pass says: " + topass);
    }
    await page.screenshot({ path: join(out, "03-four-visits.png"), fullPage: true });
  });
  await step("active therapy documented: MEDICALLY NECESSARY", async () => {
    await page.selectOption('[id="f-course.active_therapy"]', "true");
    await outcomeIs("MEDICALLY NECESSARY");
    await page.screenshot({ path: join(out, "04-necessary.png"), fullPage: true });
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
    const qty = page.locator('[aria-label="request.quantity amount"]');
    await page.waitForFunction(() => {
      const u = document.querySelector('[aria-label="request.quantity unit"]');
      return u && [...u.options].some((o) => o.value === "tablet");
    });
    await qty.fill("90");
    await page.selectOption('[aria-label="request.quantity unit"]', "tablet");
    await page.waitForFunction(() => document.getElementById("auth").textContent.includes("Before submitting"), null, { timeout: 10000 });
    const auth = await text("#auth");
    if (!auth.includes("Prior authorization")) throw new Error("authorization section says: " + auth);
    // Exclusions keep their tag and read "excludes" / "does not exclude",
    // never "met" beside the excluding condition.
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
    const qty = page.locator('[aria-label="request.quantity amount"]');
    await page.waitForFunction(() => {
      const u = document.querySelector('[aria-label="request.quantity unit"]');
      return u && [...u.options].some((o) => o.value === "visit");
    });
    await qty.fill("12");
    await page.selectOption('[aria-label="request.quantity unit"]', "visit");
    await outcomeIs("MEDICALLY NECESSARY");
    const decider = await text("#decider");
    if (!/no guideline limit on request\.quantity is encoded/.test(decider)) throw new Error("beside the verdict: " + decider);
    // The list marks what no rule decides on 2025-03-01.
    await page.waitForFunction(() => [...document.querySelectorAll("#treatment option")].some((o) => /no rule in force on 2025-03-01/.test(o.textContent)));
    await page.screenshot({ path: join(out, "07-knee-2025.png"), fullPage: true });
  });
  await step("nothing loaded from elsewhere, no script error", async () => nothingOffsite("server"));
});
