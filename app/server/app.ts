// The Express application around the Remix build: security headers, the cross-site POST
// guard, static assets, request bodies within limits, session validation, the load context
// every route receives, and one log line per failed request.
import type { AppLoadContext, ServerBuild } from "@remix-run/node";
import express from "express";
import fs from "node:fs";
import path from "node:path";
import { ownerCookie, readOwner } from "../auth/form-draft.server";
import { cookiesAreSecure } from "../auth/lucia.server";
import { authenticate, sessionOwner, type AuthContext } from "../auth/session.server";
import type { DB } from "../db.server";
import type { Mailer } from "../mailer.server";
import type { Config } from "../config.server";
import { createRemixHandler } from "./remix-handler";
import { BodyRefused, discardRestOfBody, readRequestBody } from "./request-body";
import { logRequestFailure, thrownAt } from "./request-log";
import { securityHeaders } from "./security-headers";
import { createApiRouter } from "./api";
import { kickWebhooks } from "../webhooks/drain.server";
import { webhooksDue } from "../webhooks/endpoints.server";
import { serverStats } from "./server-stats";

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
    /** This response's Content-Security-Policy nonce, for inline scripts (entry.server.tsx). */
    cspNonce: string;
    /**
     * A url-encoded form posted without a valid session: its fields, and the user whose session
     * cookie or owner cookie names (null when none), for the guard to keep (auth/form-draft.server.ts).
     */
    signedOutForm: { fields: URLSearchParams; endedUserId: string | null } | null;
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
/** The one route that accepts a POST from any origin (app/routes/unsubscribe.$token.tsx). */
const ONE_CLICK_UNSUBSCRIBE = /^\/unsubscribe\/[^/]+$/;

/** What an unsafe request's Origin says about it; `same-origin` lets it through. */
export type OriginCheck = "same-origin" | "cross-site" | "host-mismatch";

/**
 * Remix 2.17 compares Origin with X-Forwarded-Host or Host itself but answers a mismatch with
 * a 500; we refuse it first with a 403. A POST whose Origin is another site (or the opaque
 * "null"), or whose browser says it is cross-site, never reaches an action. One whose Origin
 * is APP_URL but whose Host is not comes through a proxy that rewrites Host: refused too (Remix
 * would refuse it), with a hint for the operator.
 */
export function checkOrigin(req: express.Request, appUrl: string): OriginCheck {
  if (SAFE_METHODS.has(req.method)) return "same-origin";
  // RFC 8058: a mail client POSTs the report's unsubscribe link from wherever it runs. The
  // signed link is the only credential that route needs, and it only turns emails off.
  if (req.method === "POST" && ONE_CLICK_UNSUBSCRIBE.test(req.path)) return "same-origin";
  if (req.get("sec-fetch-site") === "cross-site") return "cross-site";
  const origin = req.get("origin");
  if (origin === undefined) return "same-origin";
  if (origin === "null") return "cross-site";
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return "cross-site";
  }
  if (originHost === requestHost(req)) return "same-origin";
  return originHost === new URL(appUrl).host ? "host-mismatch" : "cross-site";
}

/** The host Remix compares the Origin with: the first X-Forwarded-Host, or Host. */
function requestHost(req: express.Request): string | undefined {
  return req.get("x-forwarded-host")?.split(",")[0]?.trim() || req.get("host");
}

export function createApp(options: AppOptions) {
  const { config, db, mailer } = options;
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", config.TRUST_PROXY);
  if (config.SERVER_STATS) app.use(serverStats());

  app.use(securityHeaders(config, { dev: options.viteMiddleware !== undefined }));
  // Webhook events are written in the transaction of the change; once a request that may have
  // written is answered, the drain sends what is due (pages and API alike).
  app.use((req, res, next) => {
    if (!SAFE_METHODS.has(req.method)) {
      res.on("finish", () => {
        if (webhooksDue(db)) void kickWebhooks({ db });
      });
    }
    next();
  });
  // The API authenticates by bearer key only: before the origin check (no browser session to
  // protect) and before the session layer (a cookie never authenticates it). Decision 0021.
  app.use("/api/v1", createApiRouter({ db, config, mailer }));
  app.use((req, res, next) => {
    if (req.method === "POST" && ONE_CLICK_UNSUBSCRIBE.test(req.path)) {
      // Remix refuses an action whose Origin is not this host (a 500); a mail client's one-click
      // POST carries its own. The route trusts only its signed link, so the Origin goes.
      delete req.headers.origin;
    }
    const check = checkOrigin(req, config.APP_URL);
    if (check === "cross-site") {
      res.status(403).type("text/plain").send("Cross-site request refused.");
      return;
    }
    if (check === "host-mismatch") {
      res
        .status(403)
        .type("text/plain")
        .send(
          `Request refused: the Host header (${requestHost(req) ?? "none"}) does not match APP_URL ` +
            `(${new URL(config.APP_URL).host}). Configure your proxy to pass the original Host ` +
            `(or X-Forwarded-Host), or set APP_URL to the address people use.`,
        );
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
    // public/'s files (favicon.ico, robots.txt…) by their names only: a static handler in front
    // of every page request would first look each page up on disk (an fs.stat and a miss).
    const publicFiles = new Set(fs.existsSync(clientDir) ? fs.readdirSync(clientDir).filter((name) => name !== "assets") : []);
    const servePublic = express.static(clientDir, { maxAge: "1h" });
    app.use((req, res, next) => {
      const first = req.path.split("/", 2)[1] ?? "";
      if (publicFiles.has(safeDecode(first))) servePublic(req, res, next);
      else next();
    });
  }

  const handleRemix = createRemixHandler({
    build: options.build,
    mode: config.NODE_ENV === "production" ? "production" : "development",
    getLoadContext: (req, res) => ({
      db,
      config,
      mailer,
      auth: (res.locals.auth as AuthContext | null) ?? null,
      clientIp: req.ip ?? "unknown",
      cspNonce: res.locals.cspNonce as string,
      signedOutForm: (res.locals.signedOutForm as AppLoadContext["signedOutForm"]) ?? null,
    }),
  });
  app.all(
    "*",
    readRequestBody(config),
    async (req, res, next) => {
      try {
        const urlEncoded = Buffer.isBuffer(req.body) && req.is("application/x-www-form-urlencoded");
        // Whose entries a signed-out form post would be (auth/form-draft.server.ts): the session
        // row's user, or, once that row is gone, the browser's signed owner cookie.
        const endedUserId = urlEncoded
          ? (sessionOwner(db, req.headers.cookie) ?? readOwner(req.headers.cookie, config.APP_SECRET))
          : null;
        const { auth, setCookies } = await authenticate(db, config, req.headers.cookie);
        for (const cookie of setCookies) res.append("Set-Cookie", cookie);
        if (auth && readOwner(req.headers.cookie, config.APP_SECRET) !== auth.user.id) {
          res.append("Set-Cookie", ownerCookie(auth.user.id, { secret: config.APP_SECRET, secure: cookiesAreSecure(config) }));
        }
        res.locals.auth = auth;
        if (!auth && urlEncoded) {
          res.locals.signedOutForm = { fields: new URLSearchParams((req.body as Buffer).toString("utf8")), endedUserId };
        }
        next();
      } catch (error) {
        next(error);
      }
    },
    handleRemix,
  );

  // A request the layers above refused or failed: one log line (request-log.ts), a plain answer.
  app.use((error: unknown, req: express.Request, res: express.Response, _next: express.NextFunction) => {
    const refused = error instanceof BodyRefused ? error : null;
    const status = refused?.status ?? 500;
    logRequestFailure({
      method: req.method,
      url: req.originalUrl,
      status,
      reason: refused ? refused.message : error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      at: refused ? undefined : thrownAt(error),
    });
    // Too late for an answer of ours: end the half-sent one (Express would log the stack).
    if (res.headersSent) return void res.destroy();
    if (refused?.unread) discardRestOfBody(req);
    res
      .status(status)
      .type("text/plain")
      .send(refused ? refused.message : "Something went wrong on our side. Try again in a moment.");
  });
  return app;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
