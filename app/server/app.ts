// The Express application around the Remix build: security headers, the cross-site POST
// guard, static assets, session validation, and the load context every route receives.
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import express from "express";
import path from "node:path";
import { authenticate, type AuthContext } from "../auth/session.server";
import type { DB } from "../db.server";
import type { Mailer } from "../mailer.server";
import type { Config } from "../config.server";

declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
  interface AppLoadContext {
    db: DB;
    config: Config;
    mailer: Mailer;
    auth: AuthContext | null;
    clientIp: string;
  }
}

type BuildSource = ServerBuild | (() => Promise<ServerBuild>);

export type AppOptions = {
  config: Config;
  db: DB;
  mailer: Mailer;
  build: BuildSource;
  /** Dev only: Vite's connect middlewares (HMR, on-demand transforms). */
  viteMiddleware?: express.RequestHandler;
  clientDir?: string;
};

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Remix 2.17 compares Origin with Host itself but answers a mismatch with a 500; we refuse it
 * first with a 403. A POST whose Origin is another site (or the opaque "null"), or whose
 * browser says it is cross-site, never reaches an action.
 */
export function isCrossSite(req: express.Request, appUrl: string): boolean {
  if (SAFE_METHODS.has(req.method)) return false;
  if (req.get("sec-fetch-site") === "cross-site") return true;
  const origin = req.get("origin");
  if (origin === undefined) return false;
  if (origin === "null") return true;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return true;
  }
  return host !== req.get("host") && host !== new URL(appUrl).host;
}

export function createApp(options: AppOptions) {
  const { config, db, mailer } = options;
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", "loopback");

  app.use((req, res, next) => {
    res.set({
      "X-Content-Type-Options": "nosniff",
      "X-Frame-Options": "DENY",
      "Referrer-Policy": "same-origin",
      "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    });
    if (isCrossSite(req, config.APP_URL)) {
      res.status(403).type("text/plain").send("Cross-site request refused.");
      return;
    }
    next();
  });

  if (options.viteMiddleware) {
    app.use(options.viteMiddleware);
  } else {
    const clientDir = options.clientDir ?? path.resolve("build/client");
    app.use(
      "/assets",
      express.static(path.join(clientDir, "assets"), { immutable: true, maxAge: "1y" }),
    );
    app.use(express.static(clientDir, { maxAge: "1h" }));
  }

  const handleRemix = createRequestHandler({
    build: options.build as never,
    mode: config.NODE_ENV === "production" ? "production" : "development",
    getLoadContext: (req, res) => ({
      db,
      config,
      mailer,
      auth: (res.locals.auth as AuthContext | null) ?? null,
      clientIp: req.ip ?? "unknown",
    }),
  });
  app.all(
    "*",
    async (req, res, next) => {
      try {
        const { auth, setCookies } = await authenticate(db, config, req.headers.cookie);
        for (const cookie of setCookies) res.append("Set-Cookie", cookie);
        res.locals.auth = auth;
        next();
      } catch (error) {
        next(error);
      }
    },
    handleRemix,
  );
  return app;
}
