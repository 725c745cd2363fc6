#!/usr/bin/env node
// Screenshots of the built UI (ui/dist) in headless Chromium, with the Tauri backend played by a
// small mock of `window.__TAURI_INTERNALS__` injected before the app loads. The page is served by
// `vite preview` with the app's real CSP and a frozen Object.prototype (tauri.conf.json's
// `freezePrototype`), so a CSP violation or a prototype write shows up here as a failure.
//
//   npm run build && npm run screenshot      → PNGs in ../artifacts/ui/
//
// Env: CHROMIUM (default /usr/bin/chromium), SHOTS_DIR (default <repo>/artifacts/ui).

import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createConnection } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { installMock } from "./mock-backend.mjs";

const UI = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = process.env.SHOTS_DIR ?? resolve(UI, "../artifacts/ui");
const PORT = 4173;
const BASE = `http://127.0.0.1:${PORT}/`;
const CSP = JSON.parse(readFileSync(resolve(UI, "../src-tauri/tauri.conf.json"), "utf8")).app.security.csp;
const CSP_HEADER = Object.entries(CSP)
  .map(([k, v]) => `${k} ${v}`)
  .join("; ");
const QR_SVG = readFileSync(join(UI, "scripts/fixtures/qr.svg"), "utf8");

if (!existsSync(join(UI, "dist/index.html"))) {
  console.error("ui/dist is missing: run `npm run build` first.");
  process.exit(1);
}
mkdirSync(OUT, { recursive: true });

function waitForPort(port, timeoutMs = 15_000) {
  const end = Date.now() + timeoutMs;
  return new Promise((resolvePort, reject) => {
    const attempt = () => {
      const socket = createConnection({ port, host: "127.0.0.1" });
      socket.once("connect", () => {
        socket.end();
        resolvePort();
      });
      socket.once("error", () => {
        socket.destroy();
        if (Date.now() > end) reject(new Error(`nothing listens on ${port}`));
        else setTimeout(attempt, 150);
      });
    };
    attempt();
  });
}

const problems = [];
const server = spawn(process.execPath, [join(UI, "node_modules/vite/bin/vite.js"), "preview", "--host", "127.0.0.1", "--port", String(PORT), "--strictPort"], {
  cwd: UI,
  stdio: ["ignore", "ignore", "inherit"],
});

let browser;
try {
  await waitForPort(PORT);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const context = await browser.newContext({ viewport: { width: 1180, height: 820 }, deviceScaleFactor: 1 });
  await context.route("**/*", async (route) => {
    const response = await route.fetch();
    const headers = { ...response.headers() };
    if ((headers["content-type"] ?? "").includes("text/html")) {
      headers["content-security-policy"] = CSP_HEADER;
    }
    await route.fulfill({ response, headers });
  });

  async function open(scenario) {
    const page = await context.newPage();
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`[${scenario}] console ${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`[${scenario}] page error: ${e.message}`));
    await page.addInitScript(installMock, { qrSvg: QR_SVG, scenario });
    await page.goto(BASE);
    await page.waitForSelector("#nav-session");
    return page;
  }

  async function shot(page, name) {
    await page.waitForTimeout(350);
    await page.screenshot({ path: join(OUT, `${name}.png`) });
    console.log(`wrote ${name}.png`);
  }

  async function fits(page, label) {
    const m = await page.evaluate(() => {
      const main = document.querySelector("main");
      const qr = document.querySelector("#qr svg")?.getBoundingClientRect();
      return {
        scroll: main ? main.scrollHeight - main.clientHeight : -1,
        bodyScroll: document.documentElement.scrollHeight - window.innerHeight,
        qr: qr ? [Math.round(qr.width), Math.round(qr.height)] : null,
      };
    });
    console.log(`${label}: overflow ${m.scroll}px, page overflow ${m.bodyScroll}px, QR ${m.qr ? m.qr.join("×") : "none"}`);
    if (m.scroll > 0 || m.bodyScroll > 0) problems.push(`${label}: the Session screen scrolls (${m.scroll}px)`);
    if (m.qr && Math.min(...m.qr) < 420) problems.push(`${label}: QR is only ${m.qr.join("×")}`);
  }

  // The form: empty, then with errors, then ready.
  let page = await open("form");
  await shot(page, "01-form-empty");
  await page.fill("#talent-name", "x".repeat(65));
  await page.fill("#photo-url", "http://photos.example/ada.jpg");
  await page.locator("#photo-url").blur();
  await page.waitForSelector("#photo-error:not([hidden])");
  await shot(page, "02-form-errors");
  await page.fill("#photo-url", "https://photos.example/missing.jpg");
  await page.locator("#photo-url").blur();
  await page.waitForSelector("#photo-error:has-text('404')");
  await shot(page, "03-form-photo-404");
  await page.fill("#talent-name", "Ada Lovelace");
  await page.fill("#photo-url", "https://photos.example/ada.jpg");
  await page.locator("#photo-url").blur();
  await page.waitForSelector("#photo-preview");
  await page.waitForSelector("#start-session:enabled");
  await shot(page, "04-form-ready");
  await page.click("#start-session");
  await page.waitForSelector("#qr svg");
  await fits(page, "started");
  await page.close();

  // A session that was waiting when the app started.
  page = await open("awaiting");
  await page.waitForSelector("#qr svg");
  await page.waitForSelector("#countdown");
  await fits(page, "awaiting");
  await shot(page, "05-session-qr");
  const countdown = await page.textContent("#countdown");
  if (!/^\d:\d\d$/.test(countdown ?? "")) problems.push(`countdown reads ${countdown}`);

  await page.evaluate(() => {
    window.__mock.set(
      "ses_ada",
      {},
      { nextCheckAtMs: Date.now() + 15_000, notice: { code: "network", message: "Could not reach Rehearsal. Check the network connection and try again. (connection refused)", field: null } },
    );
  });
  await shot(page, "06-session-notice");
  await fits(page, "notice");

  await page.click("#cancel-session");
  await page.waitForSelector("#confirm-cancel");
  await shot(page, "07-cancel-confirm");
  await page.click("#keep-session");

  await page.evaluate(() => window.__mock.set("ses_ada", { state: "expired" }));
  await page.waitForSelector("text=This QR has expired");
  await shot(page, "08-session-expired");
  await fits(page, "expired");

  await page.evaluate(() => window.__mock.set("ses_ada", { state: "verified" }));
  await page.waitForSelector("#enroll:enabled");
  await shot(page, "09-session-verified");

  // The provider refuses the photo: nothing was charged, and another photo can be tried here.
  await page.evaluate(() => {
    window.__mock.failEnroll = true;
  });
  await page.click("#enroll");
  await page.waitForSelector("#session-error:has-text('Nothing was charged')");
  await page.waitForSelector("#enroll:enabled");
  await page.waitForSelector("#retry-photo-url");
  if (!(await page.isDisabled("#enroll-retry"))) problems.push("#enroll-retry is enabled before a new photo passed its check");
  await fits(page, "mismatch");
  await shot(page, "10-enroll-mismatch");

  await page.fill("#retry-photo-url", "https://photos.example/missing.jpg");
  await page.locator("#retry-photo-url").blur();
  await page.waitForSelector("#retry-photo-error:has-text('404')");
  await fits(page, "retry photo 404");
  await shot(page, "10b-enroll-retry-photo-404");
  await page.fill("#retry-photo-url", "https://photos.example/ada-front.jpg");
  await page.locator("#retry-photo-url").blur();
  await page.waitForSelector("#retry-photo-preview");
  await page.waitForSelector("#enroll-retry:enabled");
  await fits(page, "retry photo");
  await shot(page, "10c-enroll-retry-photo");

  // The new photo is refused too: the link stays in the field for another try.
  await page.click("#enroll-retry");
  await page.waitForSelector("#enroll-retry:enabled");
  await page.waitForSelector("#session-error:has-text('Nothing was charged')");
  if ((await page.inputValue("#retry-photo-url")) !== "https://photos.example/ada-front.jpg") {
    problems.push("the retry photo link was lost after a second mismatch");
  }

  await page.evaluate(() => {
    window.__mock.failEnroll = false;
  });
  await page.click("#enroll-retry");
  await page.waitForSelector("#asset-id");
  const enrollCalls = await page.evaluate(() => window.__mock.enrollCalls);
  const expectedCalls = [null, "https://photos.example/ada-front.jpg", "https://photos.example/ada-front.jpg"];
  if (JSON.stringify(enrollCalls) !== JSON.stringify(expectedCalls)) {
    problems.push(`enroll was sent with ${JSON.stringify(enrollCalls)}, expected ${JSON.stringify(expectedCalls)}`);
  }
  await fits(page, "enrolled");
  await shot(page, "11-enrolled");
  await page.click("#copy-asset-id");
  await shot(page, "12-enrolled-copied");
  // Leaving a finished session and coming back shows the form again.
  await page.click("#nav-library");
  await page.waitForSelector(".face-row");
  await page.click("#nav-session");
  await page.waitForSelector("#talent-name");
  await page.close();

  // Started from the form, enrolled, then back to Session: the form is fresh for the next talent.
  page = await open("form-filled");
  await page.fill("#talent-name", "Grace Hopper");
  await page.fill("#photo-url", "https://photos.example/grace.jpg");
  await page.locator("#photo-url").blur();
  await page.click("#start-session");
  await page.waitForSelector("#qr svg");
  await page.evaluate(() => window.__mock.set("ses_ada", { state: "verified" }));
  await page.click("#enroll");
  await page.waitForSelector("#asset-id");
  const plainCalls = await page.evaluate(() => window.__mock.enrollCalls);
  if (JSON.stringify(plainCalls) !== "[null]") problems.push(`Enroll sent ${JSON.stringify(plainCalls)}, expected [null]`);
  await page.click("#nav-library");
  await page.click("#nav-session");
  const left = await page.inputValue("#talent-name");
  if (left !== "") problems.push(`the form kept "${left}" after the enrollment`);
  await page.close();

  page = await open("two-open");
  await page.waitForSelector("#qr svg");
  await fits(page, "two open");
  await shot(page, "13-two-open");
  await page.close();

  // The provider's hourly limits, under the buttons; check-now waits while none is left.
  page = await open("awaiting");
  await page.waitForSelector("#call-budget:has-text('Checks left this hour: 14 of 20 · New QR codes left: 8 of 10')");
  await fits(page, "budget");
  await shot(page, "13b-session-budget");
  await page.evaluate(() => {
    window.__mock.setBudget({ statusChecksLeft: 0, statusFreesAtMs: Date.now() + 12 * 60_000 });
    window.__mock.set("ses_ada", {}, { nextCheckAtMs: Date.now() + 8_000 });
  });
  await page.waitForSelector("#check-wait:has-text('Wait until')");
  if (!(await page.isDisabled("#check-now"))) problems.push("#check-now is enabled with no checks left");
  await fits(page, "no checks left");
  await shot(page, "13c-session-no-checks-left");
  // No time known: check-now can be pressed, and the refusal says how long to wait.
  await page.evaluate(() => {
    window.__mock.setBudget({ statusFreesAtMs: null, newLinksLeft: 0 });
    window.__mock.set("ses_ada", {}, { nextCheckAtMs: Date.now() + 8_000 });
  });
  await page.waitForSelector("#check-now:enabled");
  await page.waitForSelector("#fresh-qr-wait");
  await page.click("#check-now");
  await page.waitForSelector("#session-error .rate-limit-wait:has-text('Wait until')");
  await fits(page, "rate limited");
  await shot(page, "13d-session-rate-limited");
  await page.close();

  page = await open("library");
  await page.click("#nav-library");
  await page.waitForSelector(".face-row");
  await shot(page, "14-library");
  await page.click("#sync-faces");
  await page.waitForSelector("#sync-result:has-text('2 new faces, 1 updated')");
  await page.waitForSelector(".face-row[data-asset-id='ta_aa01bb02cc03dd04ee05ff0611223344']");
  await shot(page, "14b-library-synced");
  await page.close();

  page = await open("library-empty");
  await page.click("#nav-library");
  await page.waitForSelector("text=No faces yet");
  await shot(page, "15-library-empty");
  await page.close();

  page = await open("settings");
  await page.click("#nav-settings");
  await page.waitForSelector("#settings-provider");
  await page.waitForSelector("#stage-phones:has-text('http://192.168.1.20:8402')");
  await page.waitForSelector("#wallet-address");
  await page.waitForSelector("#wallet-explorer:has-text('basescan.org')");
  if ((await page.locator("#wallet a[href]").count()) > 0) problems.push("the wallet card has a clickable link");
  await shot(page, "16-settings");
  await page.fill("#per-payment-cap", "2.1234567");
  await page.fill("#daily-cap", "-5");
  await page.click("#save-settings");
  await page.waitForSelector("#per-payment-cap[aria-invalid='true']");
  await page.waitForSelector("#daily-cap[aria-invalid='true']");
  await page.locator("#per-payment-cap").scrollIntoViewIfNeeded();
  await shot(page, "16b-settings-cap-errors");

  // The studio wallet, present: address and link to copy, export behind a tick, delete behind a
  // second button. The key leaves the page on Hide and on leaving Settings.
  const rehearsalTitle = (await page.textContent("#wallet h2"))?.replace(/\s+/g, " ").trim();
  if (rehearsalTitle !== "Rehearsal test wallet (Base Sepolia, made automatically)") problems.push(`the Rehearsal wallet card reads "${rehearsalTitle}"`);
  await page.waitForSelector("#studio-wallet-address");
  await page.waitForSelector("#studio-wallet-explorer:has-text('https://basescan.org/address/')");
  if ((await page.locator("#studio-wallet a[href]").count()) > 0) problems.push("the studio wallet card has a clickable link");
  await page.locator("#studio-wallet").scrollIntoViewIfNeeded();
  await shot(page, "16c-studio-wallet");
  const studioKey = await page.evaluate(() => window.__mock.studioKey);
  const keyInPage = () =>
    page.evaluate(
      (k) => [document.documentElement.outerHTML, JSON.stringify(localStorage), JSON.stringify(sessionStorage)].some((t) => t.includes(k.slice(2))),
      studioKey,
    );
  await page.click("#export-wallet");
  await page.waitForSelector("#confirm-export");
  if (!(await page.isDisabled("#do-export"))) problems.push("#do-export is enabled before the tick");
  await page.locator("#studio-wallet").scrollIntoViewIfNeeded();
  await shot(page, "16d-export-confirm");
  await page.check("#confirm-export");
  await page.click("#do-export");
  await page.waitForSelector(`#exported-key:has-text('${studioKey}')`);
  await page.locator("#studio-wallet").scrollIntoViewIfNeeded();
  await shot(page, "16e-key-shown");
  await page.click("#hide-exported-key");
  await page.waitForSelector("#export-wallet");
  if ((await page.locator("#exported-key").count()) > 0) problems.push("#exported-key stayed after Hide");
  if (await keyInPage()) problems.push("the exported key is still in the page after Hide");
  // Shown again, then Settings is left: the key goes with it.
  await page.click("#export-wallet");
  await page.check("#confirm-export");
  await page.click("#do-export");
  await page.waitForSelector("#exported-key");
  await page.click("#nav-library");
  await page.click("#nav-settings");
  await page.waitForSelector("#export-wallet");
  if (await keyInPage()) problems.push("the exported key is still in the page after leaving Settings");
  await page.click("#delete-wallet");
  await page.waitForSelector("#do-delete");
  await page.locator("#studio-wallet").scrollIntoViewIfNeeded();
  await shot(page, "16f-delete-confirm");
  await page.click("#do-delete");
  await page.waitForSelector("#create-wallet");
  const exportCalls = await page.evaluate(() => window.__mock.walletCalls);
  if (JSON.stringify(exportCalls) !== '["export:true","export:true","delete"]') problems.push(`wallet commands were ${JSON.stringify(exportCalls)}`);
  await page.close();

  // No studio wallet yet: create or import; a bad key shows next to the field, and the field is
  // emptied after every import.
  page = await open("settings-no-wallet");
  await page.click("#nav-settings");
  await page.waitForSelector("#create-wallet");
  await page.waitForSelector("#import-wallet-key[type='password']");
  await page.locator("#studio-wallet").scrollIntoViewIfNeeded();
  await shot(page, "16g-studio-wallet-none");
  await page.click("#import-wallet");
  await page.waitForSelector("#wallet-error:has-text('Paste the wallet')");
  await page.fill("#import-wallet-key", "0x1234 not a key");
  await page.click("#import-wallet");
  if ((await page.inputValue("#import-wallet-key")) !== "") problems.push("the pasted key stayed in the field while importing");
  await page.waitForSelector("#wallet-error:has-text('64 hexadecimal')");
  await page.waitForSelector("#import-wallet-key[aria-invalid='true']");
  if ((await page.inputValue("#import-wallet-key")) !== "") problems.push("the refused key stayed in the field");
  await page.locator("#studio-wallet").scrollIntoViewIfNeeded();
  await shot(page, "16h-import-error");
  await page.fill("#import-wallet-key", ` ${"ab".repeat(32)} `);
  await page.click("#import-wallet");
  await page.waitForSelector("#studio-wallet-address:has-text('0xAb5801a7D398351b8bE11C439e05C5B3259aeC9B')");
  if ((await page.locator("#wallet-error").count()) > 0) problems.push("#wallet-error stayed after a good import");
  await page.click("#delete-wallet");
  await page.click("#do-delete");
  await page.click("#create-wallet");
  await page.waitForSelector("#studio-wallet-address:has-text('0x71C7656EC7ab88b098defB751B7401B5f6d8976F')");
  const importCalls = await page.evaluate(() => window.__mock.walletCalls);
  if (JSON.stringify(importCalls) !== '["import","import","delete","create"]') problems.push(`wallet commands were ${JSON.stringify(importCalls)}`);
  await page.close();

  // Rehearsal playing JarvisClaw: the answer shape and the page after the check show.
  page = await open("settings");
  await page.click("#nav-settings");
  await page.waitForSelector("#provider-rehearsal:checked");
  if ((await page.locator("#jarvisclaw-redirect-url").count()) > 0) problems.push("the JarvisClaw redirect shows while rehearsing BlockRun");
  await page.click("label:has(#personality-jarvisclaw)");
  await page.waitForSelector("#shape-live:checked");
  await page.waitForSelector("#jarvisclaw-redirect-url");
  await page.locator("#jarvisclaw-redirect-url").scrollIntoViewIfNeeded();
  await shot(page, "25-settings-rehearse-jarvisclaw");

  // BlockRun with an API key: switching without a key is explained next to the provider; a key
  // that looks wrong is only warned about; Save settings stores the pasted key first.
  await page.click("#provider-blockrun");
  await page.selectOption("#payment-method", "api_key");
  await page.waitForSelector("#api-key[type='password']");
  if ((await page.locator("#jarvisclaw-redirect-url").count()) > 0) problems.push("the JarvisClaw redirect shows for BlockRun");
  if ((await page.locator("#rehearsal-x402-version").count()) > 0) problems.push("the Rehearsal x402 version shows for BlockRun");
  await page.click("#save-settings");
  await page.waitForSelector("#provider-error:has-text('not set up yet')");
  await page.fill("#api-key", "sk-0123456789");
  await page.waitForSelector("#api-key-warning:has-text('looks like a JarvisClaw key')");
  await page.evaluate(() => document.querySelector("main")?.scrollTo(0, 0));
  await shot(page, "26-settings-blockrun");
  await page.evaluate(() => document.querySelector("#provider-error")?.scrollIntoView({ block: "start" }));
  await shot(page, "26a-settings-blockrun-key");
  await page.fill("#api-key", "brk_test_0123456789");
  if ((await page.locator("#api-key-warning").count()) > 0) problems.push("a brk_ key is warned about for BlockRun");
  await page.click("#save-settings");
  await page.waitForSelector("#save-settings + .note:has-text('Saved.')");
  await page.waitForSelector("#api-key-status:has-text('A BlockRun key is saved')");
  if ((await page.inputValue("#api-key")) !== "") problems.push("the API key stayed in its field after saving");
  if ((await page.content()).includes("brk_test_0123456789")) problems.push("the saved API key is still in the page");
  const keyCalls = await page.evaluate(() => window.__mock.keyCalls);
  if (JSON.stringify(keyCalls) !== '["blockrun"]') problems.push(`set_api_key was called for ${JSON.stringify(keyCalls)}`);
  if ((await page.locator("#provider-error").count()) > 0) problems.push("#provider-error stayed after the key was saved");
  await page.evaluate(() => document.querySelector("#settings-provider")?.scrollIntoView({ block: "start" }));
  await shot(page, "26b-settings-blockrun-saved");
  await page.close();

  page = await open("settings-port-moved");
  await page.click("#nav-settings");
  await page.waitForSelector("#stage-phones:has-text('http://192.168.1.20:40123')");
  await page.waitForSelector("#stage-port-moved");
  await shot(page, "17-settings-port-moved");
  await page.close();

  // Enroll asks a price: confirm panel, decline, then pay; the payment shows in Payments.
  page = await open("payment");
  await page.waitForSelector("#enroll:enabled");
  await page.click("#enroll");
  await page.waitForSelector("#payment-confirm");
  const payLabel = (await page.textContent("#confirm-payment"))?.trim();
  if (payLabel !== "Pay $0.01 and enroll") problems.push(`the pay button reads "${payLabel}"`);
  await page.waitForSelector("#payment-testnet");
  if ((await page.locator("#payee-changed").count()) > 0) problems.push("#payee-changed shows for a known payee");
  await fits(page, "payment confirm");
  await shot(page, "18-payment-confirm");
  await page.click("#decline-payment");
  await page.waitForSelector("#enroll:enabled");
  if ((await page.locator("#payment-confirm").count()) > 0) problems.push("the payment panel stayed after declining");
  await page.click("#enroll");
  await page.waitForSelector("#confirm-payment:enabled");
  await page.click("#confirm-payment");
  await page.waitForSelector("text=Paying and enrolling…");
  await fits(page, "paying");
  await shot(page, "19-paying");
  await page.waitForSelector("#asset-id");
  await fits(page, "paid and enrolled");
  await shot(page, "20-paid-enrolled");
  await page.click("#nav-payments");
  await page.waitForSelector(".payment-row[data-nonce]");
  await page.close();

  // A new payee: the pay button waits for the tick; a refused payment shows its message.
  page = await open("payee-changed");
  await page.click("#enroll");
  await page.waitForSelector("#payee-changed");
  if (!(await page.isDisabled("#confirm-payment"))) problems.push("#confirm-payment is enabled before the payee change was ticked");
  await fits(page, "payee changed");
  await shot(page, "21-payee-changed");
  await page.check("#confirm-payee-change");
  await page.waitForSelector("#confirm-payment:enabled");
  await page.evaluate(() => {
    window.__mock.refusePayment = true;
  });
  await page.click("#confirm-payment");
  await page.waitForSelector("#session-error:has-text('Nothing was signed')");
  await fits(page, "payment refused");
  await shot(page, "22-payment-refused");
  await page.evaluate(() => {
    window.__mock.refusePayment = false;
  });
  await page.click("#confirm-payment");
  await page.waitForSelector("#asset-id");
  const confirmCalls = await page.evaluate(() => window.__mock.confirmCalls);
  if (JSON.stringify(confirmCalls) !== "[true]") problems.push(`confirm_payment got payeeChangeConfirmed ${JSON.stringify(confirmCalls)}`);
  await page.close();

  page = await open("payments");
  await page.click("#nav-payments");
  await page.waitForSelector(".payment-row[data-nonce]");
  const amounts = await page.locator(".payment-row td.num").allTextContents();
  if (amounts[0] !== "0.010000" || amounts[2] !== "2.500000") problems.push(`payment amounts read ${JSON.stringify(amounts)}`);
  await page.click("#export-payments");
  await page.waitForSelector("#export-result:has-text('Saved to')");
  await shot(page, "23-payments");
  await page.close();

  page = await open("payments-empty");
  await page.click("#nav-payments");
  await page.waitForSelector("#payments-empty");
  await shot(page, "24-payments-empty");
  await page.close();

  // Anyfast: key only (no wallet, no caps), the phone's return page under Advanced; switching
  // without a key is explained next to the provider, and saving the pasted key fixes it.
  page = await open("settings");
  await page.click("#nav-settings");
  await page.waitForSelector("#provider-rehearsal:checked");
  await page.click("#provider-anyfast");
  await page.waitForSelector("#key-only-note:has-text('bills your account per upload')");
  await page.waitForSelector("#api-key[type='password']");
  for (const gone of ["#payment-method", "#per-payment-cap", "#rehearsal-x402-version", "#crun-language"]) {
    if ((await page.locator(gone).count()) > 0) problems.push(`${gone} shows for Anyfast`);
  }
  await page.click(".advanced summary");
  await page.waitForSelector("#lan-callback:checked");
  if ((await page.inputValue("#callback-port")) !== "8403") problems.push("the return page's port is not 8403");
  await page.click("#save-settings");
  await page.waitForSelector("#provider-error:has-text('not set up yet')");
  await page.fill("#api-key", "af-test-0123456789");
  if ((await page.locator("#api-key-warning").count()) > 0) problems.push("an Anyfast key is warned about");
  await page.evaluate(() => document.querySelector("main")?.scrollTo(0, 0));
  await shot(page, "27-settings-anyfast");
  await page.click("#save-settings");
  await page.waitForSelector("#save-settings + .note:has-text('Saved.')");
  await page.waitForSelector("#api-key-status:has-text('An Anyfast key is saved')");
  await page.waitForSelector("#lan-callback:visible");
  if ((await page.content()).includes("af-test-0123456789")) problems.push("the saved Anyfast key is still in the page");
  await page.waitForSelector("#stage-label:has-text('Anyfast')");
  await page.locator("#lan-callback").scrollIntoViewIfNeeded();
  await shot(page, "27b-settings-anyfast-saved");

  // Crun: the phone page's language; Rehearsal can play it too.
  await page.click("#provider-crun");
  await page.waitForSelector("#crun-language");
  await page.selectOption("#crun-language", "zh-Hant");
  const languages = await page.locator("#crun-language option").allTextContents();
  if (JSON.stringify(languages) !== '["English","简体中文","繁體中文"]') problems.push(`Crun's languages read ${JSON.stringify(languages)}`);
  await page.evaluate(() => document.querySelector("main")?.scrollTo(0, 0));
  await shot(page, "28-settings-crun-language");
  await page.click("#provider-rehearsal");
  await page.click("label:has(#personality-crun)");
  await page.waitForSelector("#crun-language");
  await page.waitForSelector("#key-only-note:has-text('Rehearsal makes its own key')");
  await page.click("label:has(#personality-anyfast)");
  if ((await page.locator("#crun-language").count()) > 0) problems.push("the Crun language shows while rehearsing Anyfast");
  await shot(page, "28b-settings-rehearse-anyfast");
  // The return page cannot share Rehearsal's port: said next to the port, Advanced kept open.
  await page.fill("#callback-port", "8402");
  await page.click("#save-settings");
  await page.waitForSelector("#callback-port-error:has-text('not Rehearsal')");
  await page.waitForSelector("#callback-port[aria-invalid='true']");
  await page.locator("#callback-port").scrollIntoViewIfNeeded();
  await shot(page, "28c-settings-callback-port-error");
  await page.close();

  // An Anyfast session: Enroll adds the photo to the talent's group, billed per upload; the
  // asset then processes and turns active on the asset stream.
  page = await open("byteplus-session");
  await page.waitForSelector("#enroll:enabled");
  const addLabel = (await page.textContent("#enroll"))?.trim();
  if (addLabel !== "Add photo to Ada Lovelace's group") problems.push(`the enroll button reads "${addLabel}"`);
  await page.waitForSelector("#enroll-billing:has-text('Billed to your Anyfast account per upload')");
  await fits(page, "byteplus verified");
  await shot(page, "29-session-byteplus-verified");
  await page.click("#enroll");
  await page.waitForSelector("#asset-status:has-text('Processing…')");
  await page.waitForSelector("#asset-id:has-text('asset-')");
  if ((await page.locator("#payment-confirm").count()) > 0) problems.push("a price dialog showed for Anyfast");
  await fits(page, "asset processing");
  await shot(page, "30-session-asset-processing");
  await page.waitForSelector("#asset-status:has-text('Active — use as asset://asset-')", { timeout: 5000 });
  await page.waitForSelector("#copy-asset-ref");
  await fits(page, "asset active");
  await shot(page, "31-session-asset-active");
  await page.close();

  // The provider refuses the photo: the reason shows, and "Add another photo" opens the
  // Library's form for the same group.
  page = await open("byteplus-session");
  await page.evaluate(() => {
    window.__mock.failAsset = true;
    window.__mock.assetDelayMs = 300;
  });
  await page.click("#enroll");
  await page.waitForSelector("#asset-status:has-text('Failed: Face consistency verification failed')", { timeout: 5000 });
  await fits(page, "asset failed");
  await shot(page, "31b-session-asset-failed");
  await page.click("#add-asset-for-group");
  await page.waitForSelector("#add-asset-form");
  await page.waitForSelector("#asset-url:focus");
  await page.close();

  // The library shows each person once, every file of their group under them.
  page = await open("library-assets");
  await page.click("#nav-library");
  await page.waitForSelector(".person[data-group-id='group-20260702221642-5czvq']");
  const adaRows = await page.locator(".person[data-group-id='group-20260702221642-5czvq'] .face-row[data-asset-id]").count();
  if (adaRows !== 4) problems.push(`Ada's card lists ${adaRows} files, expected 4`);
  if ((await page.locator(".person:has-text('Ada Lovelace')").count()) !== 1) problems.push("Ada shows more than once");
  await page.waitForSelector(".face-row.status-failed:has-text('Face consistency verification failed')");
  await page.waitForSelector(".face-row.status-processing .check-asset");
  const rowText = await page.locator(".face-row[data-asset-id='asset-20260702225010-v1d30']").textContent();
  if (!rowText?.includes("Ada Lovelace") || !rowText.includes("Video")) problems.push(`the video row reads "${rowText}"`);
  await shot(page, "32-library-assets");
  await page.fill("#library-search", "katherine");
  await page.waitForSelector(".person:has-text('Katherine Johnson')");
  if ((await page.locator(".person").count()) !== 1) problems.push("the search did not narrow the library to Katherine");
  await page.fill("#library-search", "");
  await page.selectOption("#library-provider", "anyfast");
  if ((await page.locator(".person").count()) !== 1) problems.push("the provider filter did not narrow the library to Anyfast");
  await page.selectOption("#library-provider", "all");

  // The add-asset form: a video that is too long fails its check and cannot be uploaded.
  await page.click(".person[data-group-id='group-20260702221642-5czvq'] .open-add-asset");
  await page.waitForSelector("#add-asset-form");
  await page.selectOption("#asset-type", "video");
  await page.waitForSelector("#asset-limits:has-text('MP4 or MOV')");
  await page.fill("#asset-url", "https://media.example/ada-long-take.mp4");
  if (!(await page.isDisabled("#upload-asset"))) problems.push("#upload-asset is enabled before the file was checked");
  await page.click("#check-asset-file");
  await page.waitForSelector("#asset-checklist .chip.fail:has-text('Duration')");
  await page.waitForSelector("#asset-facts:has-text('21.4 s')");
  if (!(await page.isDisabled("#upload-asset"))) problems.push("#upload-asset is enabled for a video that failed a check");
  if ((await page.locator("#asset-override").count()) > 0) problems.push("a failed video check offers an override");
  await page.locator("#add-asset-form").scrollIntoViewIfNeeded();
  await shot(page, "33-add-asset-video-failed");

  // A good clip goes up; it appears under Ada as processing, then active.
  await page.fill("#asset-url", "https://media.example/ada-take-2.mp4");
  if (!(await page.isDisabled("#upload-asset"))) problems.push("#upload-asset stayed enabled after the link changed");
  await page.click("#check-asset-file");
  await page.waitForSelector("#upload-asset:enabled");
  await page.locator("#add-asset-form").scrollIntoViewIfNeeded();
  await shot(page, "33b-add-asset-video-ok");
  await page.click("#upload-asset");
  await page.waitForSelector("#add-asset-form", { state: "detached" });
  await page.waitForSelector(".face-row.status-processing[data-asset-id*='-newvi']");
  await page.waitForSelector(".face-row.status-active[data-asset-id*='-newvi']", { timeout: 5000 });

  // A photo with two faces: held until "Use this photo anyway" is ticked, sent with the override.
  await page.click(".person[data-group-id='group-20260702221642-5czvq'] .open-add-asset");
  await page.fill("#asset-url", "https://photos.example/ada-two.jpg");
  await page.click("#check-asset-file");
  await page.waitForSelector("#asset-override");
  if (!(await page.isDisabled("#upload-asset"))) problems.push("#upload-asset is enabled before the override was ticked");
  await page.check("#asset-override");
  await page.waitForSelector("#upload-asset:enabled");
  await page.locator("#add-asset-form").scrollIntoViewIfNeeded();
  await shot(page, "33c-add-asset-photo-override");
  await page.click("#upload-asset");
  await page.waitForSelector("#add-asset-form", { state: "detached" });
  const assetCalls = await page.evaluate(() => window.__mock.assetCalls);
  const expectedAssetCalls = ["check:video", "check:video", "add:video:false", "check:image", "add:image:true"];
  if (JSON.stringify(assetCalls) !== JSON.stringify(expectedAssetCalls)) problems.push(`asset commands were ${JSON.stringify(assetCalls)}`);

  // "Check again" asks the provider once about a processing file.
  await page.click(".face-row[data-asset-id='asset-20260702225010-v1d30'] .check-asset");
  await page.waitForSelector(".face-row[data-asset-id='asset-20260702225010-v1d30'] .check-asset:enabled");
  await page.close();
} catch (e) {
  problems.push(`script: ${e instanceof Error ? e.stack : String(e)}`);
} finally {
  await browser?.close();
  server.kill("SIGTERM");
}

if (problems.length > 0) {
  console.error(`\n${problems.length} problem(s):\n${problems.join("\n")}`);
  process.exit(1);
}
console.log(`\nscreenshots in ${OUT}`);
