// Response headers every answer carries, set with helmet: a Content-Security-Policy whose
// inline scripts need this response's nonce (Remix's hydration and scroll-restoration scripts
// get it through the load context, see entry.server.tsx), HSTS when APP_URL is https, framing
// refused, and the permissions policy helmet has no setting for.
// Why this policy: docs/decisions/0011-content-security-policy-with-a-nonce.md.
import type express from "express";
import helmet from "helmet";
import { randomBytes } from "node:crypto";
import type { Config } from "../config.server";

export function securityHeaders(config: Config, { dev }: { dev: boolean }): express.RequestHandler {
  const https = config.APP_URL.startsWith("https:");
  const nonce = (_req: unknown, res: unknown) => `'nonce-${(res as express.Response).locals.cspNonce}'`;
  const withHelmet = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", nonce],
        scriptSrcAttr: ["'none'"],
        // React's style={} props are style attributes: allowed, since an attribute has no
        // selectors and cannot load anything img-src/font-src would not. <style> elements and
        // stylesheets stay same-origin — except under Vite's dev server, which injects <style>.
        styleSrc: ["'self'"],
        styleSrcElem: dev ? ["'self'", "'unsafe-inline'"] : ["'self'"],
        styleSrcAttr: ["'unsafe-inline'"],
        imgSrc: ["'self'", "data:"],
        fontSrc: ["'self'"],
        // Vite's HMR talks over its own WebSocket port in dev.
        connectSrc: dev ? ["'self'", "ws:"] : ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: https ? { maxAge: 365 * 24 * 60 * 60, includeSubDomains: true } : false,
    xFrameOptions: { action: "deny" },
    referrerPolicy: { policy: "same-origin" },
  });
  return (req, res, next) => {
    res.locals.cspNonce = randomBytes(16).toString("base64");
    res.set("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
    withHelmet(req, res, next);
  };
}
