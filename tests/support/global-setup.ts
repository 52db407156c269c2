// Runs once before the whole vitest suite: migrates one template database that every test
// file copies (fast, and each file gets a fresh, isolated database), and builds the app so
// HTTP tests run against the real server build.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { closeDatabase, openDatabase, runMigrations } from "../../app/db.server";

export default function setup(project: TestProject) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "portal-tests-"));
  const template = path.join(dir, "template.db");
  const db = openDatabase(template);
  runMigrations(db);
  db.$client.pragma("wal_checkpoint(TRUNCATE)");
  closeDatabase(db);
  project.provide("templateDb", template);
  project.provide("tmpDir", dir);
  if (process.env.SKIP_BUILD !== "1") {
    // vite.config.ts leaves the Remix plugin out under vitest: build in a clean environment.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !key.startsWith("VITEST")),
    );
    execFileSync("npx", ["remix", "vite:build", "--logLevel", "error"], {
      stdio: "inherit",
      env: { ...env, NODE_ENV: "production" },
    });
  }
  return () => fs.rmSync(dir, { recursive: true, force: true });
}

declare module "vitest" {
  export interface ProvidedContext {
    templateDb: string;
    tmpDir: string;
  }
}
