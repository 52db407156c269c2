import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig as load } from "./config.server";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "config-"));
const loadConfig = (env: Record<string, string>) =>
  load({ NODE_ENV: "test", DATABASE_PATH: path.join(dataDir, "portal.db"), ...env });

describe("TRUST_PROXY and APP_SECRET", () => {
  it("trusts no proxy by default", () => {
    expect(loadConfig({}).TRUST_PROXY).toBe(false);
  });

  it("without APP_SECRET, makes a random one beside the database, private to its owner, and keeps it", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "config-secret-"));
    const first = loadConfig({ DATABASE_PATH: path.join(dir, "data", "portal.db") }).APP_SECRET;
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    const file = path.join(dir, "data", "app-secret");
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(loadConfig({ DATABASE_PATH: path.join(dir, "data", "portal.db") }).APP_SECRET).toBe(first);
    const other = fs.mkdtempSync(path.join(os.tmpdir(), "config-secret-"));
    expect(loadConfig({ DATABASE_PATH: path.join(other, "portal.db") }).APP_SECRET).not.toBe(first);
    // A secret the operator sets wins and writes nothing.
    const set = "x".repeat(40);
    const third = fs.mkdtempSync(path.join(os.tmpdir(), "config-secret-"));
    expect(loadConfig({ APP_SECRET: set, DATABASE_PATH: path.join(third, "portal.db") }).APP_SECRET).toBe(set);
    expect(fs.existsSync(path.join(third, "app-secret"))).toBe(false);
  });

  it("reads a hop count or a list of proxy addresses", () => {
    expect(loadConfig({ TRUST_PROXY: "1" }).TRUST_PROXY).toBe(1);
    expect(loadConfig({ TRUST_PROXY: "loopback, 10.0.0.0/8 ,fd00::1" }).TRUST_PROXY).toEqual([
      "loopback",
      "10.0.0.0/8",
      "fd00::1",
    ]);
  });

  it("refuses trusting everyone, bad addresses and a short secret, saying what to set", () => {
    expect(() => loadConfig({ TRUST_PROXY: "true" })).toThrow(ConfigError);
    expect(() => loadConfig({ TRUST_PROXY: "10.0.0.0/33" })).toThrow(/TRUST_PROXY=.*hop count/);
    expect(() => loadConfig({ APP_SECRET: "short" })).toThrow(/APP_SECRET=.*at least 32 characters/);
  });
});

describe("WEB_CONCURRENCY and SERVER_STATS", () => {
  it("serves with one process per core unless told otherwise", () => {
    expect(loadConfig({}).WEB_CONCURRENCY).toBe(os.availableParallelism());
    expect(loadConfig({ WEB_CONCURRENCY: "3" }).WEB_CONCURRENCY).toBe(3);
    expect(loadConfig({}).SERVER_STATS).toBe(false);
  });

  it("refuses a count that is not a whole number ≥ 1, saying what to set", () => {
    for (const value of ["0", "two", "1.5"]) {
      expect(() => loadConfig({ WEB_CONCURRENCY: value })).toThrow(ConfigError);
      expect(() => loadConfig({ WEB_CONCURRENCY: value })).toThrow(
        `WEB_CONCURRENCY=${JSON.stringify(value)}: must be a whole number of server processes ≥ 1`,
      );
    }
  });
});
