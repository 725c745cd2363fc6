// What the browser scripts share: the built UI served by `vite preview` with the app's real CSP
// (from src-tauri/tauri.conf.json) on every HTML answer, and Debian's Chromium, headless.

import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createConnection } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const UI = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const CSP = JSON.parse(readFileSync(resolve(UI, "../src-tauri/tauri.conf.json"), "utf8")).app.security.csp;
export const CSP_HEADER = Object.entries(CSP)
  .map(([k, v]) => `${k} ${v}`)
  .join("; ");

export const CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export function requireBuild() {
  if (!existsSync(join(UI, "dist/index.html"))) {
    console.error("ui/dist is missing: run `npm run build` first.");
    process.exit(1);
  }
}

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

/** Serves ui/dist on `port`; resolves once it listens. Stop it with `.kill("SIGTERM")`. */
export async function startPreview(port) {
  const server = spawn(process.execPath, [join(UI, "node_modules/vite/bin/vite.js"), "preview", "--host", "127.0.0.1", "--port", String(port), "--strictPort"], {
    cwd: UI,
    stdio: ["ignore", "ignore", "inherit"],
  });
  try {
    await waitForPort(port);
  } catch (e) {
    server.kill("SIGTERM");
    throw e;
  }
  return server;
}

export function launchChromium() {
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: CHROMIUM_FLAGS });
}

/** Every HTML answer carries the app's CSP, as the Tauri shell sends it. */
export async function withAppCsp(context) {
  await context.route("**/*", async (route) => {
    const response = await route.fetch();
    const headers = { ...response.headers() };
    if ((headers["content-type"] ?? "").includes("text/html")) {
      headers["content-security-policy"] = CSP_HEADER;
    }
    await route.fulfill({ response, headers });
  });
}
