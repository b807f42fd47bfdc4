// Browser tests of the built-in theme, in Debian's Chromium (playwright-core, no browser
// download). Run by tests/browser.rs through `cargo test`; it passes TRUSTBOOK_BIN.
//
//   node run.mjs SITE_DIR SCREENSHOT_DIR
//
// SITE_DIR is a copy of the sample site, already built. Prints "N passed, N failed".
import { chromium } from "playwright-core";
import { HtmlValidate, FileSystemConfigLoader } from "html-validate";
import { readFileSync, readdirSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { spawn } from "node:child_process";
import { join, relative } from "node:path";
import { createRequire } from "node:module";
import { createServer } from "node:http";
import { extname, normalize } from "node:path";

const [site, screenshots] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const results = { passed: 0, failed: 0 };

async function test(name, body) {
  try {
    await body();
    results.passed += 1;
    console.log(`ok - ${name}`);
  } catch (error) {
    results.failed += 1;
    console.log(`FAILED - ${name}\n  ${String(error && error.stack || error).split("\n").join("\n  ")}`);
  }
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

// The built sites over HTTP, as a static host serves them (file:// blocks axe's reading
// of stylesheets): the public site at the root, as its base_url says, and the handbook
// under /internal/.
const types = { ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript",
  ".json": "application/json", ".svg": "image/svg+xml", ".xml": "application/xml", ".csv": "text/csv" };
const host = createServer((request, response) => {
  // axe from the same origin: the pages' Content-Security-Policy allows no inline script.
  if (request.url === "/__axe.js") {
    response.writeHead(200, { "Content-Type": "text/javascript" });
    response.end(axeSource);
    return;
  }
  const path = normalize(decodeURIComponent(new URL(request.url, "http://x").pathname));
  const tree = path.startsWith("/internal/") ? "" : "public";
  const file = join(site, tree, path.endsWith("/") ? path + "index.html" : path);
  try {
    const body = readFileSync(file);
    response.writeHead(200, { "Content-Type": types[extname(file)] || "application/octet-stream" });
    response.end(body);
  } catch {
    response.writeHead(404);
    response.end();
  }
});
await new Promise((resolve) => host.listen(0, "127.0.0.1", resolve));
const base = `http://127.0.0.1:${host.address().port}`;
const url = (tree, path) => (tree === "public" ? `${base}/${path}` : `${base}/${tree}/${path}`);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

/** Opens a page, failing on any console error or uncaught exception. */
async function open(address, options = {}) {
  const page = await browser.newPage(options);
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  // Requests cut off because the page navigated (a live-reload wait, or a reload) are not
  // errors; anything else that fails to load is.
  page.on("requestfailed", (r) => {
    const aborted = (r.failure() || {}).errorText === "net::ERR_ABORTED";
    if (!aborted && !r.url().includes("/__trustbook/wait")) errors.push(`failed to load ${r.url()}: ${(r.failure() || {}).errorText}`);
  });
  await page.goto(address);
  await page.waitForLoadState("load");
  return { page, errors };
}

const pageTypes = {
  public: ["index.html", "policies/ai-policy/index.html", "pages/about/index.html",
    "controls/a-2-2/index.html", "systems/support-assistant/index.html", "risks/rsk-001/index.html", "404.html",
    "suppliers/index.html"],
  internal: ["index.html", "documents/index.html", "policies/incident-communication/index.html",
    "policies/data-governance/index.html", "policies/risk-procedure/index.html", "controls/a-6-2-6/index.html", "systems/churn-model/index.html",
    "risks/rsk-002/index.html", "soa/index.html", "risks/index.html", "systems/index.html",
    "calendar/index.html", "gaps/index.html", "roadmap/index.html", "roles/index.html", "clauses/index.html",
    "regulation/index.html", "review/index.html", "preview/index.html", "suppliers/index.html",
    "suppliers/sup-001/index.html", "objectives/index.html", "objectives/obj-001/index.html",
    "audits/index.html", "audits/aud-2026-01/index.html", "actions/index.html", "actions/ca-2026-02/index.html",
    "parties/index.html", "parties/pty-001/index.html", "assessments/index.html", "assessments/aia-001/index.html"],
};

for (const [tree, paths] of Object.entries(pageTypes)) {
  for (const path of paths) {
    await test(`${tree}/${path}: no console errors, no axe violations (axe's full default rule set)`, async () => {
      const { page, errors } = await open(url(tree, path));
      await page.addScriptTag({ url: `${base}/__axe.js` });
      const report = await page.evaluate(async () =>
        // eslint-disable-next-line no-undef
        axe.run(document));
      const violations = report.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")})`);
      assert(errors.length === 0, `console errors: ${errors.join("; ")}`);
      assert(report.passes.length > 10, "axe did not run its checks");
      assert(violations.length === 0, `axe violations:\n${violations.join("\n")}`);
      await page.close();
    });
  }
}

await test("the public page works at phone width and answers the three questions in one screen", async () => {
  const { page } = await open(url("public", "index.html"), { viewport: { width: 390, height: 844 } });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  assert(!overflow, "the page scrolls sideways at phone width");
  const desktop = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await desktop.goto(url("public", "index.html"));
  for (const anchor of ["#systems", "#concerns", "policies/ai-policy/index.html"]) {
    assert(await desktop.locator(`nav[aria-label="Site"] a[href$="${anchor}"]`).isVisible(), `no visible link to ${anchor} in the first screen`);
  }
  mkdirSync(screenshots, { recursive: true });
  await desktop.screenshot({ path: join(screenshots, "public-trust-centre.png") });
  const internal = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await internal.goto(url("internal", "index.html"));
  await internal.screenshot({ path: join(screenshots, "internal-dashboard.png") });
});

await test("every page reads without JavaScript", async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(url("internal", "soa/index.html"));
  assert(await page.locator("table.soa tbody tr").count() >= 40, "the SoA lists every control");
  assert(!(await page.locator(".search").isVisible()), "search stays hidden without JavaScript");
  await page.goto(url("public", "index.html"));
  assert(await page.locator("details.control").count() > 0, "controls are listed");
  await context.close();
});

await test("the SoA filter and the public control filter narrow the rows", async () => {
  const { page } = await open(url("internal", "soa/index.html"));
  await page.fill(".table-filter input", "A.7.");
  const visible = await page.locator("table.soa tbody tr:not([hidden])").allTextContents();
  assert(visible.length === 5, `expected the 5 A.7 controls, saw ${visible.length}`);
  assert(visible.every((row) => row.includes("A.7.")), "a row without A.7. is shown");
  const pub = await open(url("public", "index.html"));
  await pub.page.fill(".table-filter input", "reporting");
  const shown = await pub.page.locator("details.control:not([hidden])").count();
  const all = await pub.page.locator("details.control").count();
  assert(shown >= 1 && shown < all, `filter showed ${shown} of ${all}`);
});

await test("search finds public items, and the public index has nothing internal", async () => {
  const { page } = await open(url("public", "index.html"));
  await page.fill("#search-input", "assistant");
  await page.locator(".search-results li").first().waitFor();
  const results = await page.locator(".search-results li").allTextContents();
  assert(results.some((r) => r.includes("Support Assistant")), `no result for assistant: ${results}`);
  // The published scope document mentions the churn model; the model's own record is internal.
  await page.fill("#search-input", "churn");
  await page.locator(".search-results li").first().waitFor();
  const churn = await page.locator(".search-results a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  assert(!churn.some((h) => h.includes("churn-model")), `the public search found the internal churn model: ${churn}`);
  const index = await page.evaluate(() => JSON.stringify(window.TRUSTBOOK_SEARCH));
  for (const internal of ["Churn", "Prompt injection", "Data governance for AI"]) {
    assert(!index.includes(internal), `public search index holds ${internal}`);
  }
  const handbook = await open(url("internal", "index.html"));
  await handbook.page.fill("#search-input", "churn");
  await handbook.page.locator(".search-results li").first().waitFor();
  assert(await handbook.page.locator(".search-results li").count() >= 1, "the internal search misses the churn model");
});

// A hospital's procurement reviewer with an AI vendor questionnaire: every answer the
// sample publishes is on the first screen or one click from it.
await test("a buyer's questionnaire is answered on the first screen or one click away", async () => {
  const { page } = await open(url("public", "index.html"), { viewport: { width: 1280, height: 900 } });
  const home = await page.locator("main").innerText();
  const links = await page.locator("a[href]").evaluateAll((as) => as.map((a) => a.href));
  const ownPages = [...new Set(links.filter((h) => h.startsWith(base) && h.endsWith(".html")).map((h) => h.split("#")[0]))];
  const linked = {};
  for (const address of ownPages) {
    const other = await browser.newPage();
    await other.goto(address);
    linked[address] = await other.locator("main").innerText();
    await other.close();
  }
  const questions = [
    ["Which models and providers do you use?", "Example Open 8B"],
    ["Do you train on customer data?", "Training on customer data"],
    ["How can a customer opt out?", "How to opt out"],
    ["How long do you keep prompts, outputs and logs?", "kept for 30 days"],
    ["Where is data processed?", "Where it is processed"],
    ["Who are your sub-processors?", "Example Cloud Europe"],
    ["Which certificates do you hold, for what scope, until when?", "until 2028-03-13"],
    ["What is your role under the EU AI Act?", "Our role (EU AI Act)"],
    ["How will you tell us about an AI incident?", "within 72 hours"],
    ["How do we report a concern about an AI system?", "reporting form"],
    ["Who is your security contact?", "security@lumenfield.example"],
    ["How do we hear about changes?", "Atom feed"],
  ];
  const unanswered = questions.filter(([, answer]) =>
    !home.includes(answer) && !Object.values(linked).some((text) => text.includes(answer)));
  assert(unanswered.length === 0, `not within one click: ${unanswered.map(([q]) => q).join(" / ")}`);
  // The buyer's questions come before the auditor's: certificates, data use and systems
  // above the control status.
  const top = async (selector) => page.locator(selector).evaluate((e) => e.getBoundingClientRect().top + window.scrollY);
  const order = [await top("#certifications"), await top("#ai-data"), await top("#systems"), await top("#concerns"), await top("#controls")];
  assert(order.every((y, i) => i === 0 || order[i - 1] < y), `sections out of order: ${order}`);
  assert(await top("#certifications") < 900, "the certificates are not on the first screen");
  const certs = await page.locator("#certifications article").allInnerTexts();
  assert(certs.length === 3, `expected three certificates, saw ${certs.length}`);
  assert(certs.every((c) => c.includes("Scope")), "a certificate without its scope");
  assert(certs.some((c) => c.includes("Available on request")), "the restricted report is not offered on request");
});

for (const width of [320, 390, 1280]) {
  await test(`at ${width} px nothing is cut off or scrolls sideways, and axe finds nothing`, async () => {
    for (const path of ["index.html", "suppliers/index.html", "systems/support-assistant/index.html", "policies/ai-policy/index.html"]) {
      const { page, errors } = await open(url("public", path), { viewport: { width, height: 800 } });
      // Open every collapsed group: what is inside must fit too.
      await page.evaluate(() => document.querySelectorAll("details").forEach((d) => { d.open = true; }));
      const wide = await page.evaluate(() => {
        const limit = document.documentElement.clientWidth;
        const over = [...document.querySelectorAll("main *, header *")].filter((e) => {
          const box = e.getBoundingClientRect();
          return box.width > 0 && box.right > limit + 1 && getComputedStyle(e).position !== "absolute";
        });
        return { page: document.documentElement.scrollWidth > limit + 1, over: over.slice(0, 3).map((e) => e.outerHTML.slice(0, 80)) };
      });
      assert(!wide.page && wide.over.length === 0, `${path}: wider than ${width} px: ${JSON.stringify(wide)}`);
      await page.addScriptTag({ url: `${base}/__axe.js` });
      // eslint-disable-next-line no-undef
      const report = await page.evaluate(async () => axe.run(document));
      assert(report.violations.length === 0, `${path}: axe: ${report.violations.map((v) => v.id).join(", ")}`);
      assert(errors.length === 0, `${path}: console errors: ${errors.join("; ")}`);
      await page.close();
    }
  });
}

await test("public search finds words in bodies and inside titles, on-request items, and says when there is nothing", async () => {
  const { page } = await open(url("public", "index.html"));
  const search = async (words) => {
    await page.fill("#search-input", words);
    await page.locator(".search-results li").first().waitFor();
    return page.locator(".search-results li").allInnerTexts();
  };
  assert((await search("72 hours")).some((r) => r.includes("About this trust centre")), "a body word is not found");
  assert((await search("disclos")).some((r) => r.includes("Reporting a security vulnerability")), "a partial title word is not found");
  // The issue's own example: a word inside a title, of an item available on request.
  assert((await search("incident")).some((r) => r.includes("Communication of incidents")), "an on-request item is not found by a word inside its title");
  const control = page.locator(".search-results li", { hasText: "Communication of incidents" }).locator("a").first();
  assert((await control.getAttribute("href")).includes("#controls"), "an on-request control does not lead to the controls section");
  const nothing = await search("zyxwvut");
  assert(nothing.length === 1 && nothing[0].includes("No results"), `no-results message: ${nothing}`);
  await search("risk assessment and treatment");
  const onRequest = page.locator(".search-results li", { hasText: "on request" }).locator("a").first();
  assert((await onRequest.getAttribute("href")).includes("#documents"), "an on-request result does not lead to the documents list");
});

await test("the control filter opens the groups it matches and hides the others", async () => {
  const { page } = await open(url("public", "index.html"));
  assert(await page.locator("details.objective[open]").count() === 0, "objectives start collapsed");
  await page.fill(".table-filter input", "reporting");
  const open_ = await page.locator("details.objective[open]").count();
  const hidden = await page.locator("details.objective[hidden]").count();
  assert(open_ >= 1 && hidden >= 1, `filter opened ${open_} and hid ${hidden} objectives`);
  assert(await page.locator("details.control:not([hidden])").first().isVisible(), "a matching control is not visible");
  await page.fill(".table-filter input", "");
  assert(await page.locator("details.objective[open]").count() === 0, "clearing the filter leaves groups open");
});

for (const width of [1280, 1920]) {
  await test(`the SoA, risk register and calendar at ${width} px: nothing cut off, the header row stays, columns sort, statuses filter`, async () => {
    for (const path of ["soa/index.html", "risks/index.html", "calendar/index.html"]) {
      const { page, errors } = await open(url("internal", path), { viewport: { width, height: 600 } });
      const fit = await page.evaluate(() => {
        const table = document.querySelector(".register table");
        const limit = document.documentElement.clientWidth;
        return { page: document.documentElement.scrollWidth <= limit + 1,
          table: table.getBoundingClientRect().right <= limit + 1 && table.getBoundingClientRect().left >= -1,
          inner: table.scrollWidth <= table.clientWidth + 1 };
      });
      assert(fit.page && fit.table && fit.inner, `${path} at ${width}: ${JSON.stringify(fit)}`);
      // Scrolled half way down the table, its header row is still at the top.
      await page.evaluate(() => {
        const table = document.querySelector(".register table");
        window.scrollTo(0, table.getBoundingClientRect().top + window.scrollY + table.offsetHeight / 2);
      });
      const [headerTop, tableTop] = await page.evaluate(() => [
        document.querySelector(".register thead th").getBoundingClientRect().top,
        document.querySelector(".register table").getBoundingClientRect().top]);
      // Where the page scrolled far enough for the table's top to leave the screen, the
      // header row stays at the top; otherwise it is simply where the table starts.
      assert(tableTop >= 0 ? Math.abs(headerTop - tableTop) < 2 : Math.abs(headerTop) < 2,
        `${path}: the header row scrolled away (header ${headerTop}, table ${tableTop})`);
      await page.evaluate(() => window.scrollTo(0, 0));
      // Sorting by the first column, then the other way round.
      const first = () => page.locator(".register tbody tr").first().locator("th, td").first().innerText();
      await page.locator(".register thead th button.sort").first().click();
      const ascending = await first();
      await page.locator(".register thead th button.sort").first().click();
      const descending = await first();
      assert(ascending !== descending, `${path}: sorting changed nothing (${ascending})`);
      // The status filter shows only rows with that status.
      const select = page.locator(".table-filter select");
      const options = await select.locator("option").allInnerTexts();
      assert(options.length > 2, `${path}: no status filter (${options})`);
      await select.selectOption(options[1]);
      const shown = await page.locator(".register tbody tr:visible").allInnerTexts();
      assert(shown.length > 0 && shown.every((row) => row.includes(options[1])), `${path}: the filter for ${options[1]} shows other rows`);
      assert(errors.length === 0, `${path}: console errors: ${errors.join("; ")}`);
      await page.close();
    }
  });
}

await test("the risk heat maps show all five columns at 1280 px without scrolling inside", async () => {
  const { page } = await open(url("internal", "risks/index.html"), { viewport: { width: 1280, height: 900 } });
  const maps = await page.locator("table.heat-map").evaluateAll((tables) => tables.map((t) => ({
    inner: t.scrollWidth <= t.clientWidth + 1,
    columns: t.tHead.rows[0].cells.length,
    right: t.getBoundingClientRect().right <= document.documentElement.clientWidth,
  })));
  assert(maps.length === 2 && maps.every((m) => m.inner && m.right && m.columns === 6), JSON.stringify(maps));
});

await test("the SoA prints on A4 landscape without losing a column", async () => {
  // A4 landscape less 10 mm margins, at 96 px per inch: 277 mm wide.
  const { page } = await open(url("internal", "soa/index.html"), { viewport: { width: 1047, height: 740 } });
  await page.emulateMedia({ media: "print" });
  const fit = await page.evaluate(() => {
    const table = document.querySelector("table.soa");
    const limit = document.documentElement.clientWidth;
    const headers = [...table.tHead.rows[0].cells];
    return { width: table.getBoundingClientRect().width, limit,
      cut: headers.filter((h) => h.getBoundingClientRect().right > limit + 1).map((h) => h.innerText) };
  });
  assert(fit.cut.length === 0 && fit.width <= fit.limit + 1, `columns beyond the page: ${JSON.stringify(fit)}`);
  const pdf = await page.pdf({ format: "A4", landscape: true, printBackground: false });
  assert(pdf.length > 10000 && pdf.subarray(0, 5).toString() === "%PDF-", "no PDF");
});

await test("the handbook search finds ids, words in bodies and the handbook's own pages", async () => {
  const { page } = await open(url("internal", "index.html"));
  const search = async (words) => {
    await page.fill("#search-input", words);
    await page.locator(".search-results li").first().waitFor();
    return page.locator(".search-results li").allInnerTexts();
  };
  assert((await search("RSK-008")).some((r) => r.startsWith("RSK-008")), "RSK-008 is not found");
  assert((await search("RACI")).some((r) => r.includes("Roles")), "RACI does not find the roles page");
  assert((await search("management review")).some((r) => r.includes("Management review pack")), "the review pack is not found");
  assert((await search("escalate")).some((r) => r.includes("AI Policy")), "a word of a body (internal block included) is not found");
});

await test("html-validate reports no errors in either site", async () => {
  const validator = new HtmlValidate(new FileSystemConfigLoader({
    extends: ["html-validate:recommended"],
    rules: {
      // Long prose lines and our own formatting choices, not errors.
      "no-trailing-whitespace": "off",
      "long-title": "off",
      "no-inline-style": "error",
      // pulldown-cmark writes <img />; both forms are valid HTML.
      "void-style": "off",
    },
  }));
  const problems = [];
  for (const tree of ["public", "internal"]) {
    for (const file of files(join(site, tree)).filter((f) => f.endsWith(".html"))) {
      const report = await validator.validateFile(file);
      for (const result of report.results) {
        for (const m of result.messages) {
          problems.push(`${relative(site, file)}:${m.line}:${m.column} ${m.ruleId}: ${m.message}`);
        }
      }
    }
  }
  assert(problems.length === 0, `${problems.length} problems:\n${problems.slice(0, 40).join("\n")}`);
});

await test("serve: the audience switch works and an edit reloads the open page", async () => {
  const server = spawn(process.env.TRUSTBOOK_BIN, ["serve", "--port", "0", "--root", site], {
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  try {
    const address = await new Promise((resolve, reject) => {
      let out = "";
      server.stdout.on("data", (chunk) => {
        out += chunk;
        const found = out.match(/Serving on (http:\/\/\S+)/);
        if (found) resolve(found[1]);
      });
      server.on("exit", (code) => reject(new Error(`serve exited with ${code}`)));
      setTimeout(() => reject(new Error("serve did not start")), 15000);
    });
    const { page, errors } = await open(address);
    await page.click("text=Preview the public trust centre");
    await page.waitForURL(/preview\/index.html$/);
    assert(await page.locator(".preview-banner").isVisible(), "no preview banner");
    await page.click("text=Back to the internal handbook");
    await page.waitForURL(/\/index.html$/);
    await page.goto(`${address}policies/ai-policy/`);
    const file = join(site, "content/policies/ai-policy.md");
    writeFileSync(file, readFileSync(file, "utf8").replace("## Purpose", "## Purpose, LIVE-EDIT"));
    await page.waitForSelector("text=LIVE-EDIT", { timeout: 10000 });
    assert(errors.length === 0, `console errors: ${errors.join("; ")}`);
  } finally {
    server.kill();
  }
});

await browser.close();
host.close();
console.log(`browser: ${results.passed} passed, ${results.failed} failed`);
process.exit(results.failed === 0 ? 0 : 1);
