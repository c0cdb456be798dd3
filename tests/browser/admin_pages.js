// Log in to the Django admin in headless Chromium, visit pages, report what each showed.
// Usage: node admin_pages.js <plan.json>; prints one JSON report on stdout.
// The plan: {playwright, chromium, userDataDir, baseUrl, username, password, outDir,
//            pages: [{name, path, fill?: {selector: value}, submit?: selector}]}.
"use strict";

const fs = require("fs");
const path = require("path");

const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

async function logIn(page, plan) {
  await page.goto(plan.baseUrl + "/admin/login/?next=/admin/");
  await page.fill("#id_username", plan.username);
  await page.fill("#id_password", plan.password);
  await Promise.all([page.waitForURL(plan.baseUrl + "/admin/"), page.click("input[type=submit]")]);
}

async function visit(page, plan, step) {
  const styles = [];
  const onResponse = (response) => {
    if (response.url().endsWith("/admin/css/base.css")) styles.push(response.status());
  };
  page.on("response", onResponse);
  const response = await page.goto(plan.baseUrl + step.path);
  let status = response.status();
  if (step.fill) {
    for (const [selector, value] of Object.entries(step.fill)) await page.fill(selector, value);
    const [answer] = await Promise.all([page.waitForNavigation(), page.click(step.submit)]);
    status = answer ? answer.status() : status;
  }
  await page.waitForLoadState("load");
  const header = await page.evaluate(() => {
    const element = document.querySelector("#header");
    return element ? getComputedStyle(element).backgroundColor : null;
  });
  const text = await page.innerText("body");
  // a token secret shown once must not end up in a committed picture: mask it first
  await page.evaluate(() => {
    for (const code of document.querySelectorAll(".messagelist code")) {
      code.textContent = code.textContent.replace(/^(mcp_[0-9a-f]+_).+$/, "$1••••••••");
    }
  });
  const screenshot = path.join(plan.outDir, step.name + ".png");
  await page.screenshot({ path: screenshot, fullPage: true });
  page.off("response", onResponse);
  return { name: step.name, url: page.url(), status, cssStatuses: styles,
           headerBackground: header, text, screenshot };
}

async function main() {
  const plan = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  const { chromium } = require(plan.playwright);
  const context = await chromium.launchPersistentContext(plan.userDataDir, {
    executablePath: plan.chromium, headless: true, args: ARGS,
    viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  // The admin's navigation sidebar collapsed, so the tables get the width.
  await context.addInitScript(() => localStorage.setItem("django.admin.navSidebarIsOpen", "false"));
  try {
    const page = context.pages()[0] || await context.newPage();
    await logIn(page, plan);
    const pages = [];
    for (const step of plan.pages) pages.push(await visit(page, plan, step));
    process.stdout.write(JSON.stringify({ pages }));
  } finally {
    await context.close();
  }
}

main().catch((error) => { console.error(error); process.exit(1); });
