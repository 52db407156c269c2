/// <reference types="vitest/config" />
import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig } from "vite";
import remixConfig from "./remix.config.js";

const { ignoredRouteFiles: _ignored, ...remixOptions } = remixConfig;

export default defineConfig({
  plugins: [process.env.VITEST ? null : remix(remixOptions)],
  server: { host: "127.0.0.1" },
  build: { target: "es2022" },
  test: {
    include: ["app/**/*.test.ts", "db/**/*.test.ts", "emails/**/*.test.ts", "tests/**/*.test.ts"],
    exclude: ["tests/e2e/**", "node_modules/**"],
    globalSetup: ["tests/support/global-setup.ts"],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
