import { describe, expect, it } from "vitest";
import { ConfigError, DEV_APP_SECRET, loadConfig as load } from "./config.server";

const loadConfig = (env: Record<string, string>) => load({ NODE_ENV: "test", ...env });

describe("TRUST_PROXY and APP_SECRET", () => {
  it("trusts no proxy and uses the development secret by default", () => {
    const config = loadConfig({});
    expect(config.TRUST_PROXY).toBe(false);
    expect(config.APP_SECRET).toBe(DEV_APP_SECRET);
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
