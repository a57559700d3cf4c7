// Drives the page of `mtus serve` in headless Chromium, as a person would:
// pick massage therapy, enter 8 visits and a date, read the outcome and
// "to pass", lower to 4 visits, document active therapy, export YAML and
// JSON; add a second request typed as on the RFA ("Norco 10/325 mg #120
// 1 tab q6h"), read what the page understood before the form is filled,
// confirm, read the morphine-equivalent dose and its working; a misspelt
// line; remove a request; load a saved case (YAML, and a file with
// mistakes); a drug in 2019 with its prior authorization; 12 visits of
// physical therapy in 2025 with its coverage note in words.
// Usage: node page.mjs URL OUT_DIR CHROMIUM
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const AXE = join(HERE, "node_modules", "axe-core", "axe.min.js");
const ROOT = join(HERE, "..", "..");
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
const must = (cond, what) => { if (!cond) throw new Error(what); };
// axe-core in the page: no violation of serious or critical impact.
async function accessible(where) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.addScriptTag({ path: AXE });
  const bad = await page.evaluate(async () => (await window.axe.run(document)).violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => v.impact + " " + v.id + ": " + v.help + " at " + v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")));
  if (bad.length) throw new Error("accessibility (" + where + "): " + bad.join("; "));
}
// The main view speaks words: no fact path (request.quantity), criterion
// ID (massage_therapy.visit_limit) nor treatment code (physical_therapy)
// in the verdict, the notes or the advice.
async function plain(sel) {
  const t = await text(sel);
  const m = /\b[a-z]+_[a-z_]*\.[a-z_]+|\b(request|course|history|exam|opioids)\.[a-z_]+|\b[a-z]+_[a-z]+\b/.exec(t);
  if (m) throw new Error(sel + " shows `" + m[0] + "`: " + t);
}
const outcomeIs = (n, want) =>
  page.waitForFunction(([n, w]) => {
    const o = document.querySelector("#res-" + n + " .outcome");
    return o && o.textContent === w;
  }, [n, want], { timeout: 10000 });
const qty = (n) => page.locator('[id="f' + n + '-request.quantity"] [data-part=amount]');
const unitOf = (n, key) => page.locator('[id="f' + n + "-request." + key + '"] [data-part=unit]');
const amountOf = (n, key) => page.locator('[id="f' + n + "-request." + key + '"] [data-part=amount]');

await run("browser", async () => {
  await step("the page opens with one request block and a treatment list", async () => {
    await page.goto(url);
    await page.locator("#treatment-1 option[value=massage_therapy]").waitFor({ state: "attached" });
    must(await page.locator("#line-1").isVisible(), "no request line box");
    await page.screenshot({ path: join(out, "01-open.png") });
    await accessible("the page opened");
  });
  await step("8 visits of massage on 2015-05-06: NOT MEDICALLY NECESSARY, the nearest request is 6 visits", async () => {
    await page.selectOption("#treatment-1", "massage_therapy");
    await page.fill("#date-1", "2015-05-06");
    await qty(1).waitFor();
    await qty(1).fill("8");
    await outcomeIs(1, "NOT MEDICALLY NECESSARY");
    const topass = await text("#res-1 .topass");
    must(/Cannot pass as requested: No more than 4-6 visits/.test(topass), "to pass says: " + topass);
    must(/nearest request that passes: Total amount requested: 6 visits \(now 8 visits\)/.test(topass), "to pass says: " + topass);
    // What to document for it, with the value that passes, in words.
    must(/Concurrent active treatment: yes/.test(topass), "to pass says: " + topass);
    const decider = await text("#res-1 .decider");
    must(decider.includes("Decided by: No more than 4-6 visits"), "decider says: " + decider);
    await plain("#results");
    // The verdict is announced: a live region kept from check to check.
    must((await page.getAttribute("#res-1 .outcome", "role")) === "status", "the verdict is not a status region");
    must((await page.locator("#techs").textContent()).includes("massage_therapy.visit_limit"), "no criterion ID in the details");
    // Hand-written questions, not fact descriptions.
    must((await text('label[for="f-course.active_therapy"]')).startsWith("Is the patient in active treatment now"), "the active therapy question");
    must((await text('label[for="f-history.massage_therapy.received"]')) === "Was massage therapy given before, for this injury?", "the earlier-treatment question");
    await accessible("a result shown");
    await page.screenshot({ path: join(out, "02-eight-visits.png"), fullPage: true });
  });
  await step("4 visits: one question to answer (one piece of advice, though it names two facts)", async () => {
    const before = await page.evaluateHandle(() => document.querySelector("#res-1 .outcome"));
    await qty(1).fill("4");
    await outcomeIs(1, "1 question to answer");
    const topass = await text("#res-1 .topass");
    must(!/nearest request/.test(topass), "to pass says: " + topass);
    // `a or b`: either one, said so.
    must(/document any one of:/.test(topass) && /Concurrent active treatment: yes/.test(topass) && /An active home exercise program is in place: yes/.test(topass), "to pass says: " + topass);
    must(await page.evaluate((b) => b === document.querySelector("#res-1 .outcome"), before), "the live region was replaced, not updated");
    await plain("#results");
    await page.screenshot({ path: join(out, "03-four-visits.png"), fullPage: true });
  });
  await step("active therapy documented: MEDICALLY NECESSARY", async () => {
    await page.selectOption('[id="f-course.active_therapy"]', "true");
    await outcomeIs(1, "MEDICALLY NECESSARY");
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
    must(right.top >= left.bottom, "the result is beside the form, not under it");
    must(sw <= 800, "the page is " + sw + " px wide at 800");
    await page.screenshot({ path: join(out, "04b-800px.png"), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  });
  await step("the print view: the result without the form", async () => {
    await page.emulateMedia({ media: "print" });
    must(!(await page.locator("#left").isVisible()), "the form is printed");
    must(await page.locator("#res-1 .outcome").isVisible(), "the verdict is not printed");
    const printed = await text("#printed");
    must(/Request 1: Massage therapy, requested on 2015-05-06/.test(printed) && /How much is requested in total\? 4 visits/.test(printed) && /Is the patient in active treatment now.*\? yes/.test(printed) && !/also called/.test(printed), "the print says: " + printed);
    await page.screenshot({ path: join(out, "04c-print.png"), fullPage: true });
    await page.emulateMedia({ media: "screen" });
  });
  await step("a value out of range is marked on its field", async () => {
    await qty(1).fill("-3");
    await page.waitForFunction(() => document.querySelector('[id="f1-request.quantity"] [data-part=amount]').getAttribute("aria-invalid") === "true");
    const msg = await text('[id="m-f1-request.quantity"]');
    must(/Check this value: enter a number from 0/.test(msg), "the message says: " + msg);
    await qty(1).fill("4");
    await outcomeIs(1, "MEDICALLY NECESSARY");
    must(!(await qty(1).getAttribute("aria-invalid")), "still marked invalid at 4");
  });
  await step("export: the case as YAML and as JSON", async () => {
    const dl = page.waitForEvent("download");
    await page.click("#export");
    must((await dl).suggestedFilename() === "case.yaml", "the YAML download's name");
    await page.waitForFunction(() => !document.getElementById("yaml").hidden);
    const yaml = await text("#yaml");
    for (const want of ["case: web-check", "active_therapy: true", "quantity: 4 visit", "date: 2015-05-06"]) {
      must(yaml.includes(want), "no `" + want + "` in:\n" + yaml);
    }
    await page.screenshot({ path: join(out, "05-export.png"), fullPage: true });
    const dj = page.waitForEvent("download");
    await page.click("#export-json");
    must((await dj).suggestedFilename() === "case.json", "the JSON download's name");
    const json = JSON.parse(await text("#yaml"));
    must(json.requests.length === 1 && json.requests[0].quantity === "4 visit" && json.course.active_therapy === true, "the JSON export: " + JSON.stringify(json));
  });
  await step("a second request typed as on the RFA: what was understood is shown before the form is filled", async () => {
    await page.click("#add");
    await page.locator("#line-2").waitFor();
    must((await page.inputValue("#date-2")) === "2015-05-06", "the new request does not take the date of the one before");
    await page.fill("#date-2", "2019-06-01");
    await page.fill("#line-2", "Norco 10/325 mg #120 1 tab q6h");
    await page.click("#req-2 .read");
    await page.locator("#understood-panel-2").waitFor();
    const said = await text("#understood-panel-2");
    for (const want of [/Treatment\s+Hydrocodone with acetaminophen\s+\u201cNorco\u201d/, /Quantity\s+120 tablets\s+\u201c#120\u201d/,
      /Strength\s+10 mg \/ 325 mg/, /Directions\s+1 tablet, 4 times a day/, /Days' supply\s+30 days, worked out/,
      /the first, 10 mg, is the opioid's/]) {
      must(want.test(said), "the panel does not say " + want + ":\n" + said);
    }
    // Nothing is filled in before the user confirms.
    must((await page.inputValue("#treatment-2")) === "", "the treatment was filled before confirming");
    await accessible("the request line read");
    await page.screenshot({ path: join(out, "06-line-read.png"), fullPage: true });
    await page.locator("#req-2").screenshot({ path: join(out, "06b-line-panel.png") });
  });
  await step("confirmed: the form is filled and the morphine-equivalent dose is shown with its working", async () => {
    await page.click("#understood-panel-2 .fill");
    await page.waitForFunction(() => /40 mg a day/.test((document.getElementById("med-2") || {}).textContent || ""), null, { timeout: 10000 });
    must((await page.inputValue("#treatment-2")) === "hydrocodone_acetaminophen", "the treatment picked");
    must((await amountOf(2, "quantity").inputValue()) === "120" && (await unitOf(2, "quantity").inputValue()) === "tablet", "the quantity");
    must((await amountOf(2, "strength").inputValue()) === "10" && (await unitOf(2, "strength").inputValue()) === "mg", "the strength");
    must((await amountOf(2, "days_supply").inputValue()) === "30" && (await unitOf(2, "days_supply").inputValue()) === "day", "the days' supply");
    const medText = await text("#med-2");
    must(medText.includes("120 tablets over 30 days is 4 a day; 10 mg hydrocodone x 4 a day x factor 1 = 40 mg MED a day"), "the working: " + medText);
    // Both requests are decided, each with its own verdict.
    await page.waitForFunction(() => document.querySelectorAll("#results .res").length === 2, null, { timeout: 10000 });
    await outcomeIs(1, "MEDICALLY NECESSARY");
    must(/Request 2: Hydrocodone with acetaminophen/.test(await text("#res-2 h2")), "the second result's title");
    // The rules saw the dose worked out: the same figure in the trace.
    await page.waitForFunction(() => /request\.med_per_day = 40 mg_med/.test(document.getElementById("trace").textContent), null, { timeout: 10000 });
    // Fewer tablets: the figure follows.
    await amountOf(2, "quantity").fill("60");
    await page.waitForFunction(() => /20 mg a day/.test(document.getElementById("med-2").textContent), null, { timeout: 10000 });
    await accessible("two requests");
    await page.screenshot({ path: join(out, "07-two-requests.png"), fullPage: true });
    await page.locator("#req-2").screenshot({ path: join(out, "07b-request-2.png") });
    await page.locator("#result").screenshot({ path: join(out, "07c-results.png") });
  });
  await step("a misspelt line: the part is named, with a did-you-mean, and nothing to fill", async () => {
    await page.click("#add");
    await page.fill("#line-3", "Flexerl 10mg #30");
    await page.press("#line-3", "Enter");
    await page.locator("#understood-panel-3").waitFor();
    const said = await text("#understood-panel-3");
    must(/Problem at \u201cFlexerl\u201d \(character 1\): treatment 'Flexerl' is not known; it looks like a misspelling\. Did you mean 'flexeril \(cyclobenzaprine\)'\?/.test(said), "the panel says: " + said);
    must(await page.locator("#understood-panel-3 .fill").isDisabled(), "a line naming no treatment can be filled in");
    await page.screenshot({ path: join(out, "08-misspelt.png"), fullPage: true });
    await page.locator("#req-3").screenshot({ path: join(out, "08b-misspelt-panel.png") });
  });
  await step("remove a request: its block and its result go", async () => {
    await page.click("#req-3 .remove");
    await page.click("#req-2 .remove");
    await page.waitForFunction(() => document.querySelectorAll(".req").length === 1 && document.querySelectorAll("#results .res").length === 1, null, { timeout: 10000 });
    must(!(await page.locator("#req-1 .remove").isVisible()), "the last request can be removed");
  });
  await step("load a saved case: the seed's two requests, decided as mtus check decides them", async () => {
    await page.setInputFiles("#load", join(ROOT, "cases", "seed-000.yaml"));
    await page.waitForFunction(() => /Loaded seed-000\.yaml: 2 requests/.test(document.getElementById("load-status").textContent), null, { timeout: 10000 });
    await page.waitForFunction(() => document.querySelectorAll("#results .res").length === 2, null, { timeout: 10000 });
    const outs = await page.$$eval("#results .outcome", (os) => os.map((o) => o.textContent));
    must(outs.every((o) => o === "NOT MEDICALLY NECESSARY"), "the seed's outcomes: " + outs.join(", "));
    // What the form does not show is kept: the recorded determination.
    await page.click("#export");
    await page.waitForFunction(() => !document.getElementById("yaml").hidden);
    const yaml = await text("#yaml");
    must(/determination:/.test(yaml) && /case: seed-000/.test(yaml), "the export of a loaded case:\n" + yaml);
    await page.screenshot({ path: join(out, "09-loaded.png"), fullPage: true });
    await page.locator("#result").screenshot({ path: join(out, "09b-loaded-results.png") });
  });
  await step("load a file with mistakes: each located in that file", async () => {
    await page.setInputFiles("#load", { name: "bad.yaml", mimeType: "application/yaml", buffer: Buffer.from("case: x\npain:\n  worst: 14\n") });
    await page.waitForFunction(() => /cannot be loaded/.test(document.getElementById("load-status").textContent), null, { timeout: 10000 });
    const said = await text("#load-status");
    must(/bad\.yaml, line 3, column 10: `pain\.worst` should be from 0 to 10, found 14/.test(said), "the errors: " + said);
    must((await page.$$eval(".req", (r) => r.length)) === 2, "a bad file replaced the case on the page");
  });
  await step("a drug in 2019: prior authorization and the RFA checks are shown", async () => {
    await page.goto(url);
    await page.selectOption("#treatment-1", "cyclobenzaprine");
    await page.fill("#date-1", "2019-03-01");
    await page.waitForFunction(() => {
      const u = document.querySelector('[id="f1-request.quantity"] [data-part=unit]');
      return u && [...u.options].some((o) => o.value === "tablet");
    });
    await qty(1).fill("90");
    await page.selectOption('[id="f1-request.quantity"] [data-part=unit]', "tablet");
    await page.waitForFunction(() => /Before submitting/.test((document.querySelector("#res-1 .auth") || {}).textContent || ""), null, { timeout: 10000 });
    const auth = await text("#res-1 .auth");
    must(auth.includes("Prior authorization"), "authorization section says: " + auth);
    // No command-line flag in the main view: kept in the details.
    must(!/ --[a-z]/.test(auth), "a flag in the authorization section: " + auth);
    must((await page.locator("#techs").textContent()).includes("--drug-list"), "the flag is not in the details");
    // Exclusions keep their tag and read "excludes" / "does not exclude",
    // never "met" beside the excluding condition.
    await page.locator("#details summary").click();
    const trace = await text("#trace");
    must(trace.includes("(exclusion)"), "no exclusion tag in the trace: " + trace);
    for (const line of trace.split("\n")) {
      must(!(/\(exclusion\)/.test(line) && /^\s*met\b/.test(line)), "an exclusion reads met: " + line);
    }
    await page.screenshot({ path: join(out, "10-drug.png"), fullPage: true });
  });
  await step("12 physical therapy visits in 2025: the pass says, in words, that no guideline limit is encoded", async () => {
    await page.goto(url);
    await page.fill("#date-1", "2025-03-01");
    await page.fill("#line-1", "PT 2x6 lumbar");
    await page.click("#req-1 .read");
    await page.locator("#understood-panel-1").waitFor();
    const said = await text("#understood-panel-1");
    must(/Quantity\s+12 visits \(2 a week for 6 weeks\)/.test(said) && /Body region\s+lumbar/.test(said), "the panel says: " + said);
    await page.click("#understood-panel-1 .fill");
    await outcomeIs(1, "MEDICALLY NECESSARY");
    const decider = await text("#res-1 .decider");
    must(/No guideline limit on the total amount requested is encoded for this treatment: only the legal cap on visits checks 12 visits;/.test(decider), "beside the verdict: " + decider);
    await plain("#results");
    // The note as the engine writes it is in the details.
    must(/no-guideline-limit-encoded: no guideline limit on request\.quantity/.test(await page.locator("#techs").textContent()), "the note's original is not in the details");
    // The list marks what no rule decides on 2025-03-01.
    await page.waitForFunction(() => [...document.querySelectorAll("#treatment-1 option")].some((o) => /no rule in force on 2025-03-01/.test(o.textContent)));
    await page.screenshot({ path: join(out, "11-pt-2025.png"), fullPage: true });
    await page.locator("#result").screenshot({ path: join(out, "11b-pt-result.png") });
  });
  await step("a treatment no rule decides on the date: NOT DECIDED, said in words, never a pass", async () => {
    await page.click("#add");
    await page.selectOption("#treatment-2", "aquatic_therapy");
    await outcomeIs(2, "NOT DECIDED");
    const decider = await text("#res-2 .decider");
    must(/No guideline rule for Aquatic therapy is in force on 2025-03-01: the request is not decided, and it is not a pass\./.test(decider), "the decider says: " + decider);
    must(/Rules for this treatment are in force at other dates: aquatic therapy \(2009-07-18 until 2017-12-01\)/.test(decider), "the decider says: " + decider);
    await plain("#res-2");
    must(/not decided \(no-rule-in-force\): no rule in force on 2025-03-01 for aquatic_therapy/.test(await page.locator("#techs").textContent()), "the engine's message is not in the details");
    await accessible("not decided");
    // A line naming a treatment no rule covers: said before filling, and
    // filled though the list of treatments with rules does not carry it.
    await page.click("#add");
    await page.fill("#line-3", "Prednisone 10 mg #30");
    await page.click("#req-3 .read");
    await page.locator("#understood-panel-3").waitFor();
    must(/No guideline rule decides this treatment on 2025-03-01/.test(await text("#understood-panel-3")), "the panel does not warn: " + (await text("#understood-panel-3")));
    await page.click("#understood-panel-3 .fill");
    await outcomeIs(3, "NOT DECIDED");
    must((await page.inputValue("#treatment-3")) === "prednisone", "the treatment was not filled");
    must(/No rule covers Prednisone yet: the request is not decided, and it is not a pass\./.test(await text("#res-3 .decider")), "the decider says: " + (await text("#res-3 .decider")));
    await page.locator("#result").screenshot({ path: join(out, "12-not-decided.png") });
  });
  await step("nothing loaded from elsewhere, no script error", async () => nothingOffsite("server"));
});
