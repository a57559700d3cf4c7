// Opens the rule book written by `mtus doc` in headless Chromium, as a
// reviewer would: the index, a guideline's page, a rule through the
// contents, a fact of one of its criteria in the glossary, and the page of
// what is in force on the book's date. Nothing may load from anywhere but
// the book's own files, and no page may need a script.
// Usage: node book.mjs BOOK_DIR OUT_DIR CHROMIUM
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { open } from "./session.mjs";

const [bookDir, out, executablePath] = process.argv.slice(2);
const book = pathToFileURL(resolve(bookDir)).href + "/";
const session = await open({
  executablePath,
  out,
  prefix: "mtus-book-",
  allowed: (u) => u.startsWith(book),
  javaScriptEnabled: false,
});
const { page, nothingOffsite, run } = session;
const step = (name, fn) => session.step(name, fn, "book-failure.png");
const expectText = async (locator, want) => {
  const t = await locator.innerText();
  if (!t.includes(want)) throw new Error("no `" + want + "` in:\n" + t.slice(0, 2000));
};

await run("book", async () => {
  await step("the index opens and lists the guidelines", async () => {
    await page.goto(book + "index.html");
    await expectText(page.locator("h1"), "MTUS rule book");
    await expectText(page.locator("main"), "MTUS-CPMTG");
    await expectText(page.locator("main"), "criteria are named as the reason");
    await page.screenshot({ path: join(out, "10-book-index.png") });
  });
  await step("a guideline's page, through its link", async () => {
    await page.click("text=MTUS-CPMTG");
    if (!page.url().endsWith("source-mtus-cpmtg.html")) throw new Error("at " + page.url());
    await expectText(page.locator("h1"), "MTUS Chronic Pain Medical Treatment Guidelines");
  });
  await step("a rule through the contents: citation, window, criteria, confidence, proof", async () => {
    await page.click('a[href="#rule-massage_therapy"]');
    if (!page.url().endsWith("#rule-massage_therapy")) throw new Error("at " + page.url());
    const rule = page.locator('[id="rule-massage_therapy"]');
    await expectText(rule, 'MTUS-CPMTG "Massage therapy" p. 60');
    await expectText(rule, "from 2009-07-18 through 2017-11-30");
    await expectText(rule, "No more than 4-6 visits in all for this injury");
    await expectText(rule, "6 visit");
    await expectText(rule, "HIGH");
    await expectText(rule, "MASS-2");
    await expectText(rule, "cases/massage-too-many-visits.yaml");
    if (!(await rule.isVisible())) throw new Error("the rule is not shown");
    await page.screenshot({ path: join(out, "11-book-rule.png") });
  });
  await step("a fact of the rule in the glossary", async () => {
    const fact = page.locator('[id="rule-massage_therapy.visit_limit"] a.fact', { hasText: "total amount requested" }).first();
    await fact.click();
    if (!page.url().endsWith("facts.html#f-request.quantity")) throw new Error("at " + page.url());
    const row = page.locator('[id="f-request.quantity"]');
    await expectText(row, "request.quantity");
    await expectText(row, "Massage therapy: visit_limit");
    await page.screenshot({ path: join(out, "12-book-fact.png") });
  });
  await step("the constant behind the visit limit", async () => {
    await page.goto(book + "source-mtus-cpmtg.html#rule-massage_therapy");
    await page.locator('[id="rule-massage_therapy.visit_limit"] a.const').first().click();
    if (!page.url().endsWith("constants.html#c-massage_visit_limit")) throw new Error("at " + page.url());
    const row = page.locator('[id="c-massage_visit_limit"]');
    await expectText(row, "6 visit");
    await expectText(row, "HIGH");
  });
  await step("what is in force on the book's date, and the timeline", async () => {
    await page.click("nav >> text=In force");
    await expectText(page.locator("h1"), "In force on 2019-06-01");
    const row = page.locator("tr", { has: page.locator('a[href="treatments.html#t-massage_therapy"]') }).first();
    await expectText(row, "Massage therapy");
    await expectText(page.locator("main"), "Timeline of guideline versions");
    await expectText(page.locator("main"), "ACOEM-LBD-2019");
    await page.screenshot({ path: join(out, "13-book-in-force.png") });
  });
  await step("nothing loaded from elsewhere, no script error", async () => nothingOffsite("book"));
});
