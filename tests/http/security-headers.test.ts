// Response headers: a Content-Security-Policy whose script-src carries a nonce that is new on
// every response and is the nonce of every inline script in the page; HSTS only when APP_URL
// is https; the headers that were there before helmet still there.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/server";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

function directives(res: Response): Map<string, string> {
  const policy = res.headers.get("content-security-policy");
  expect(policy, "Content-Security-Policy header").toBeTruthy();
  return new Map(
    policy!.split(";").map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name!, values.join(" ")];
    }),
  );
}

function nonceOf(res: Response): string {
  const match = /'nonce-([^']+)'/.exec(directives(res).get("script-src") ?? "");
  expect(match, "a nonce in script-src").not.toBeNull();
  return match![1]!;
}

describe("Content-Security-Policy", () => {
  it("restricts scripts to our origin and this response's nonce, and sets the issue's directives", async () => {
    const res = await fetch(`${server.url}/login`);
    const csp = directives(res);
    expect(csp.get("script-src")).toMatch(/^'self' 'nonce-[A-Za-z0-9+/=]{20,}'$/);
    expect(csp.get("object-src")).toBe("'none'");
    expect(csp.get("base-uri")).toBe("'self'");
    expect(csp.get("frame-ancestors")).toBe("'none'");
    expect(csp.get("form-action")).toBe("'self'");
    expect(csp.get("default-src")).toBe("'self'");
    // No 'unsafe-inline' for scripts or style elements; style attributes only (React style={}).
    expect(csp.get("script-src")).not.toContain("unsafe");
    expect(csp.get("style-src-elem")).toBe("'self'");
    expect(csp.get("style-src-attr")).toBe("'unsafe-inline'");
  });

  it("gives every response its own nonce, and every inline script in the page carries it", async () => {
    const pages = ["/login", "/apply", "/forgot-password", "/no-such-page"];
    const seen = new Set<string>();
    for (const path of pages) {
      const res = await fetch(server.url + path);
      const nonce = nonceOf(res);
      seen.add(nonce);
      const html = await res.text();
      const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]!);
      expect(scripts.length, `${path} has scripts`).toBeGreaterThan(1);
      for (const attrs of scripts) {
        // External module scripts are same-origin ('self'); inline ones need the nonce.
        if (/\bsrc=/.test(attrs)) continue;
        expect(attrs, `an inline script on ${path}`).toContain(`nonce="${nonce}"`);
      }
    }
    const again = nonceOf(await fetch(`${server.url}/login`));
    seen.add(again);
    expect(seen.size).toBe(pages.length + 1);
  });

  it("keeps the headers set before helmet", async () => {
    const res = await fetch(`${server.url}/login`);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("referrer-policy")).toBe("same-origin");
    expect(res.headers.get("permissions-policy")).toBe("camera=(), microphone=(), geolocation=()");
    expect(res.headers.get("x-powered-by")).toBeNull();
  });
});

describe("Strict-Transport-Security", () => {
  it("is not sent when APP_URL is http", async () => {
    const res = await fetch(`${server.url}/login`);
    expect(res.headers.get("strict-transport-security")).toBeNull();
    expect(directives(res).has("upgrade-insecure-requests")).toBe(false);
  });

  it("is sent, for a year, when APP_URL is https", async () => {
    const https = await startTestServer({ APP_URL: "https://partners.example.test" });
    try {
      const res = await fetch(`${https.url}/login`);
      expect(res.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
      expect(directives(res).has("upgrade-insecure-requests")).toBe(true);
    } finally {
      await https.close();
    }
  });
});
