// The bare Remix 2 page of `npm run bench:http` (tests/bench/http.ts): the same Remix version,
// Vite plugin and v3 future flags as the app, default entry files, built into data/bench/.
import { vitePlugin as remix } from "@remix-run/dev";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import remixConfig from "../../../remix.config.js";

const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  logLevel: "error",
  plugins: [
    remix({
      appDirectory: path.join(here, "app"),
      buildDirectory: path.resolve(here, "../../../data/bench/bare-build"),
      serverModuleFormat: "esm",
      future: remixConfig.future,
    }),
  ],
  build: { target: "es2022" },
});
