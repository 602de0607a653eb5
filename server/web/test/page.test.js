// The web page in Debian's Chromium through playwright-core, against a
// running codeloom serve (CODELOOM_URL, CODELOOM_API_KEY). Writes
// page.png into CODELOOM_SCREENSHOT_DIR when set.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

const base = process.env.CODELOOM_URL;
const executablePath = process.env.CODELOOM_CHROMIUM || "/usr/bin/chromium";

test("generate in the page", { skip: !base && "CODELOOM_URL not set" }, async () => {
  const browser = await chromium.launch({ executablePath, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
    "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
  try {
    const page = await browser.newPage();
    await page.goto(base + "/");
    if (process.env.CODELOOM_API_KEY) {
      await page.fill("#apikey", process.env.CODELOOM_API_KEY);
      await page.dispatchEvent("#apikey", "change");
    }
    await page.waitForSelector("#model option", { state: "attached" });
    await page.fill("#prompt", "Once upon a time");
    await page.fill("#max_tokens", "80");
    await page.click("#run");
    await page.waitForFunction(() => Number(document.getElementById("output").dataset.pieces) > 0);
    await page.waitForFunction(() => document.body.dataset.state !== "running");
    assert.equal(await page.getAttribute("body", "data-state"), "done");
    const pieces = Number(await page.getAttribute("#output", "data-pieces"));
    assert.ok(pieces > 1, `${pieces} pieces`);
    const text = await page.textContent("#code");
    assert.ok(text.startsWith("Once upon a time") && text.length > 30, text);
    if (process.env.CODELOOM_SCREENSHOT_DIR) await page.screenshot({ path: process.env.CODELOOM_SCREENSHOT_DIR + "/page-playwright.png" });
  } finally {
    await browser.close();
  }
});
