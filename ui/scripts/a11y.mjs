#!/usr/bin/env node
// Accessibility check of every screen, in the light and the dark theme: axe-core runs in headless
// Chromium over the built UI (ui/dist) with the mock backend, as `npm run screenshot` drives it,
// and the script fails on any serious or critical violation (contrast, names, roles, labels).
// Moderate and minor findings are listed but do not fail it.
//
//   npm run build && npm run a11y
//
// Env: CHROMIUM (default /usr/bin/chromium), A11Y_PORT (default 4174, apart from the screenshot
// script's 4173), SHOTS_DIR (when set, a PNG of every screen and theme is written there),
// A11Y_ONLY (a screen's name: check only the screens whose name contains it).

import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { installMock } from "./mock-backend.mjs";
import { launchChromium, requireBuild, startPreview, UI, withAppCsp } from "./harness.mjs";

const PORT = Number(process.env.A11Y_PORT ?? 4174);
const BASE = `http://127.0.0.1:${PORT}/`;
const SHOTS = process.env.SHOTS_DIR ?? null;
const QR_SVG = readFileSync(join(UI, "scripts/fixtures/qr.svg"), "utf8");
const VIDEO = readFileSync(resolve(UI, "../tests/fixtures/media/talent-3s.mp4"));
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const ONLY = process.env.A11Y_ONLY ?? "";
const FAILING = new Set(["serious", "critical"]);

/** Throws unless the element with this id has focus (a step moved it there). */
async function focused(page, id) {
  await page.waitForFunction((want) => document.activeElement?.id === want, id, { timeout: 3_000 }).catch(async () => {
    const has = await page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);
    throw new Error(`focus is on ${has}, not #${id}`);
  });
}

/**
 * Each screen: the mock's scenario and the steps that bring the screen up. The steps use only
 * what a producer would do (clicks, typing, keys).
 */
const SCREENS = [
  { name: "session-form", scenario: "form", steps: async (page) => page.waitForSelector("#talent-name") },
  {
    name: "session-form-ready",
    scenario: "form",
    steps: async (page) => {
      await page.fill("#talent-name", "Ada Lovelace");
      await page.fill("#photo-url", "https://photos.example/ada.jpg");
      await page.locator("#photo-url").blur();
      await page.waitForSelector("#photo-preview");
    },
  },
  {
    name: "portrait-form",
    scenario: "form",
    steps: async (page) => {
      await page.click("#subject-portrait");
      await page.waitForSelector("#portrait-name");
    },
  },
  {
    // Focus moves to the new main control after Start; C presses it.
    name: "started",
    scenario: "form",
    steps: async (page) => {
      await page.fill("#talent-name", "Ada Lovelace");
      await page.fill("#photo-url", "https://photos.example/ada.jpg");
      await page.locator("#photo-url").blur();
      await page.click("#start-session:enabled");
      await page.waitForSelector("#qr svg");
      await focused(page, "check-now");
      await page.keyboard.press("c");
      await page.waitForSelector("#check-now:has-text('Checking')", { timeout: 3_000 });
    },
  },
  { name: "session-qr", scenario: "two-open", steps: async (page) => page.waitForSelector("#qr svg") },
  {
    name: "payment-confirm",
    scenario: "payment",
    steps: async (page) => {
      await page.click("#enroll");
      await page.waitForSelector("#payment-confirm");
      await focused(page, "confirm-payment");
    },
  },
  {
    name: "payee-changed",
    scenario: "payee-changed",
    steps: async (page) => {
      await page.click("#enroll");
      await page.waitForSelector("#payee-changed");
      await focused(page, "confirm-payee-change");
    },
  },
  {
    name: "enrolled",
    scenario: "payment",
    steps: async (page) => {
      await page.click("#enroll");
      await page.click("#confirm-payment");
      await page.waitForSelector("#asset-id");
      await focused(page, "next-talent");
    },
  },
  { name: "byteplus-session", scenario: "byteplus-session", steps: async (page) => page.waitForSelector("#enroll") },
  {
    name: "library",
    scenario: "library",
    steps: async (page) => {
      await page.click("#nav-library");
      await page.waitForSelector("#library .tile img");
    },
  },
  {
    name: "library-list",
    scenario: "library",
    steps: async (page) => {
      await page.click("#nav-library");
      await page.click("#library-view-list");
      await page.waitForSelector("#library .face-row");
    },
  },
  {
    name: "library-real",
    scenario: "library-assets",
    steps: async (page) => {
      await page.click("#nav-library");
      await page.waitForSelector("#library .tile");
    },
  },
  {
    // The drawer: focus moves in when it opens, Escape closes it and focus is back on the tile.
    name: "drawer",
    scenario: "library",
    steps: async (page) => {
      await page.click("#nav-library");
      const tile = ".tile[data-asset-id='ta_8c2f4e1a9b7d4c3e8f1a2b3c4d5e6f70']";
      await page.click(tile);
      await page.waitForSelector("#face-drawer[open] #face-drawer-photo");
      const inside = await page.evaluate(() => document.activeElement?.closest("#face-drawer") !== null);
      if (!inside) throw new Error("focus did not move into the drawer");
      await page.keyboard.press("Escape");
      await page.waitForSelector("#face-drawer", { state: "detached" });
      const back = await page.evaluate((sel) => document.activeElement === document.querySelector(sel), tile);
      if (!back) throw new Error("focus did not return to the tile");
      await page.click(tile);
      await page.waitForSelector("#face-drawer[open] #face-drawer-photo");
    },
  },
  {
    // A BytePlus person's drawer: their clips, each said plainly when it cannot play here.
    name: "drawer-real",
    scenario: "library-assets",
    steps: async (page) => {
      await page.click("#nav-library");
      await page.click(".tile[data-person-key^='group:blockrun:'], .tile[data-person-key^='group:anyfast:']");
      // "Play here": the clip's copy in the media folder, played from a blob as finished videos are.
      await page.click("#face-drawer[open] .clip .play-clip");
      await page.waitForSelector("#face-drawer[open] .clip audio, #face-drawer[open] .clip video");
    },
  },
  {
    name: "consent",
    scenario: "library",
    steps: async (page) => {
      await page.click("#nav-library");
      await page.click(".tile[data-asset-id='ta_8c2f4e1a9b7d4c3e8f1a2b3c4d5e6f70']");
      await page.click("#face-drawer .face-row[data-asset-id='ta_8c2f4e1a9b7d4c3e8f1a2b3c4d5e6f70'] .consent-open");
      await page.waitForSelector("#consent-dialog[open] #receipt-frame");
    },
  },
  {
    // Library → a face's drawer → "Make a video" → Generate with that face chosen and its photo in sight.
    name: "make-video",
    scenario: "library",
    steps: async (page) => {
      await page.click("#nav-library");
      await page.click(".tile[data-asset-id='ta_8c2f4e1a9b7d4c3e8f1a2b3c4d5e6f70']");
      await page.click("#face-drawer-make-video");
      await page.waitForSelector("#generate-form");
      await page.waitForSelector("#video-face-chosen img");
      const chosen = await page.inputValue("#video-face");
      if (chosen !== "ta_8c2f4e1a9b7d4c3e8f1a2b3c4d5e6f70") throw new Error(`Generate chose ${chosen}`);
      const picked = await page.inputValue("#video-face-photos input:checked");
      if (picked !== "ta_8c2f4e1a9b7d4c3e8f1a2b3c4d5e6f70") throw new Error(`The photo picker shows ${picked} chosen`);
      await page.waitForSelector("#video-face-photos label.chosen img");
    },
  },
  {
    name: "library-empty",
    scenario: "library-empty",
    steps: async (page) => {
      await page.click("#nav-library");
      await page.waitForSelector("#library .empty");
    },
  },
  {
    name: "generate",
    scenario: "generate",
    steps: async (page) => {
      await page.click("#nav-generate");
      await page.waitForSelector("#generate-form");
    },
  },
  {
    name: "video-price",
    scenario: "generate",
    steps: async (page) => {
      await page.click("#nav-generate");
      await page.selectOption("#video-face", "ta_8c2f4e1a9b7d4c3e8f1a2b3c4d5e6f70");
      await page.fill("#video-prompt", "She smiles warmly and waves at the camera");
      await page.click("#get-video-price");
      await page.waitForSelector("#video-price-panel");
    },
  },
  {
    name: "jobs",
    scenario: "jobs",
    steps: async (page) => {
      await page.click("#nav-generate");
      await page.waitForSelector(".job-row");
    },
  },
  {
    name: "payments",
    scenario: "payments",
    steps: async (page) => {
      await page.click("#nav-payments");
      await page.waitForSelector(".payment-row");
    },
  },
  {
    name: "settings",
    scenario: "settings",
    steps: async (page) => {
      await page.click("#nav-settings");
      await page.waitForSelector("#settings-provider");
    },
  },
  {
    // Rehearsal sees the phone fetch its page: both views say so.
    name: "phone-connected",
    scenario: "awaiting",
    steps: async (page) => {
      await page.waitForSelector("#phone-signal:has-text('Waiting for the phone')");
      await page.evaluate(() => window.__mock.phoneOpens("ses_ada"));
      await page.waitForSelector("#phone-signal:has-text('Phone connected — Ada is on the check')");
      const address = await page.inputValue("#phone-address-choice");
      if (address !== "192.168.1.20") throw new Error(`the address in use shows as ${address}`);
    },
  },
  {
    // The QR names this computer only: a red warning, and the Wi-Fi address to choose.
    name: "loopback-warning",
    scenario: "loopback",
    steps: async (page) => {
      await page.waitForSelector("#phone-address-warning:has-text('Phones cannot open the QR')");
    },
  },
  {
    name: "loopback-chosen-away",
    scenario: "loopback",
    steps: async (page) => {
      await page.selectOption("#phone-address-choice", "192.168.1.20");
      await page.waitForSelector("#phone-address-warning", { state: "detached" });
    },
  },
  {
    name: "phone-test",
    scenario: "settings",
    steps: async (page) => {
      await page.click("#nav-settings");
      await page.click("#start-phone-test");
      await page.waitForSelector("#phone-test-qr svg");
      await page.waitForSelector("#phone-test-status:has-text('Waiting for a phone')");
      const link = await page.textContent("#phone-test .mono");
      const nonce = new URL(link ?? "").searchParams.get("nonce");
      await page.evaluate((n) => window.__mock.phoneTestOpens(n), nonce);
      await page.waitForSelector("#phone-test-status:has-text('A phone opened it')");
    },
  },
  {
    // The shared database: another desk's session, taken over after the second press; another
    // desk's new face makes the library list again.
    name: "desks",
    scenario: "desks",
    steps: async (page) => {
      await page.waitForSelector("#other-desks .desk-line:has-text('Desk 2 (Sam Rivera): Grace Hopper, waiting')");
      await page.click("#other-desks .take-over");
      await page.waitForSelector("#other-desks .take-over-confirm");
      if (SHOTS !== null) await page.screenshot({ path: join(SHOTS, "desks-asking.png") });
      await page.click("#other-desks .take-over-confirm");
      await page.waitForSelector("#talent-heading:has-text('Grace Hopper')");
      await page.waitForSelector("#other-desks", { state: "detached" });
    },
  },
  {
    name: "library-problem",
    scenario: "library-problem",
    steps: async (page) => {
      await page.waitForSelector("#library-problem:has-text('The studio database is not in use')");
      await page.click("#library-retry");
      const restarts = await page.evaluate(() => window.__mock.restarts);
      if (restarts !== 1) throw new Error(`Try again restarted ${restarts} times`);
    },
  },
  {
    name: "studio-database",
    scenario: "settings",
    steps: async (page) => {
      await page.click("#nav-settings");
      await page.fill("#database-url", "postgres://casting:secret@db.studio/day");
      await page.click("#save-studio-database");
      await page.waitForSelector("#studio-database-error:has-text('keychain')");
      await page.fill("#database-url", "postgres://casting@db.studio/day");
      await page.fill("#database-password", "secret");
      await page.fill("#desk-name", "Desk 2");
      await page.click("#save-studio-database");
      await page.waitForSelector("#studio-database-saved");
      const set = await page.evaluate(() => window.__mock.databasePasswordSet);
      if (!set) throw new Error("the password was not handed to the keychain command");
    },
  },
  {
    name: "shortcuts",
    scenario: "awaiting",
    steps: async (page) => {
      await page.waitForSelector("#qr svg");
      await page.keyboard.press("?");
      await page.waitForSelector("#shortcuts[open]");
    },
  },
];

requireBuild();
if (SHOTS !== null) mkdirSync(SHOTS, { recursive: true });

const failures = [];
const tally = { screens: 0, serious: 0, minor: 0 };
let server;
let browser;
try {
  server = await startPreview(PORT);
  browser = await launchChromium();
  for (const scheme of ["light", "dark"]) {
    const context = await browser.newContext({ viewport: { width: 1180, height: 820 }, colorScheme: scheme });
    await withAppCsp(context);
    // The shell's asset protocol (`convertFileSrc`): every local video is the 3 s test clip.
    await context.route("http://asset.localhost/**", (route) =>
      route.fulfill({ status: 200, contentType: "video/mp4", body: VIDEO, headers: { "accept-ranges": "bytes" } }),
    );
    for (const screen of SCREENS.filter((s) => s.name.includes(ONLY))) {
      const label = `${screen.name} (${scheme})`;
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      try {
        await page.addInitScript(installMock, { qrSvg: QR_SVG, scenario: screen.scenario });
        await page.goto(BASE);
        await page.waitForSelector("#nav-session");
        await screen.steps(page);
        // Let transitions settle: axe reads computed colours.
        await page.waitForTimeout(300);
        // Evaluated through the debugging protocol, so the app's CSP (no inline scripts) allows it.
        await page.evaluate(AXE);
        const violations = await page.evaluate(async () => {
          const result = await window.axe.run(document, { resultTypes: ["violations"] });
          return result.violations.map((v) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            nodes: v.nodes.slice(0, 4).map((n) => `${n.target.join(" ")}: ${n.failureSummary?.split("\n").slice(1).join(" ").trim()}`),
            count: v.nodes.length,
          }));
        });
        tally.screens += 1;
        for (const v of violations) {
          const line = `${label}: [${v.impact}] ${v.id} ×${v.count} — ${v.help}\n    ${v.nodes.join("\n    ")}`;
          if (FAILING.has(v.impact)) {
            tally.serious += v.count;
            failures.push(line);
          } else {
            tally.minor += v.count;
            console.log(`note ${line}`);
          }
        }
        if (SHOTS !== null) await page.screenshot({ path: join(SHOTS, `${screen.name}-${scheme}.png`) });
        console.log(`${label}: ${violations.filter((v) => FAILING.has(v.impact)).length === 0 ? "ok" : "FAIL"}`);
      } catch (e) {
        failures.push(`${label}: could not be reached: ${e.message.split("\n")[0]}`);
      } finally {
        await page.close();
      }
    }
    await context.close();
  }
} finally {
  await browser?.close();
  server?.kill("SIGTERM");
}

console.log(
  `\naxe-core on ${tally.screens} screen×theme views: ${tally.serious} serious/critical node(s), ${tally.minor} moderate/minor node(s).`,
);
if (failures.length > 0) {
  console.error(`\n${failures.length} failing:\n${failures.join("\n")}`);
  process.exit(1);
}
