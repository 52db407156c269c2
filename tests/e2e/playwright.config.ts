// e2e in Debian's Chromium (never a downloaded browser) against the production build served
// by our own server over a fresh demo database.
import { defineConfig } from "@playwright/test";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const port = Number(process.env.E2E_PORT ?? 3111);
const workDir = path.join(os.tmpdir(), `portal-e2e-${port}`);
export const E2E = {
  baseURL: `http://127.0.0.1:${port}`,
  outboxDir: path.join(workDir, "outbox"),
  databasePath: path.join(workDir, "portal.db"),
};

export default defineConfig({
  testDir: ".",
  testMatch: /.*\.spec\.ts$/,
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [["list"]] : [["list"]],
  outputDir: path.join(workDir, "results"),
  use: {
    baseURL: E2E.baseURL,
    trace: "off",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: {
    command: `rm -rf ${workDir} && mkdir -p ${workDir} && npm run build --silent && tsx app/server/index.ts`,
    cwd: path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../.."),
    url: `${E2E.baseURL}/healthz`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: "pipe",
    env: {
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      APP_URL: E2E.baseURL,
      DATABASE_PATH: E2E.databasePath,
      OUTBOX_DIR: E2E.outboxDir,
      DEMO: "1",
      SCHEDULER: "0",
    },
  },
});
