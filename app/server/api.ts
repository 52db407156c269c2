// The REST API under /api/v1 (decision 0021): an Express router mounted before the origin check
// and the session layer, so a call is authenticated only by `Authorization: Bearer <key>` and
// never by a cookie. Validation with the zod schemas of app/api/schemas.ts (the same ones the
// OpenAPI document is generated from), RFC 9457 errors, per-key rate limits, Idempotency-Key
// on every POST, the domain functions the pages use.
import express from "express";
import type { ZodError, ZodTypeAny, z } from "zod";
import type { Config } from "../config.server";
import type { DB, Tx } from "../db.server";
import type { Mailer } from "../mailer.server";
import { enqueueDealWon, registerDealAndNotify } from "../domain/deal-notifications.server";
import { deliverQueued } from "../mail/outbox.server";
import { writeTransaction } from "../db.server";
import { authenticateApiKey, type ApiCaller } from "../api/keys.server";
import { dealCreditByModel, getApiDeal, getApiPartner, listApiDeals, listApiPartners, partnerIdBySlug, apiTierHistory } from "../api/queries.server";
import { RateLimiter } from "../api/rate-limit";
import { apiReferenceHtml } from "../api/reference";
import {
  CreateWebhookEndpoint,
  DealListQuery,
  IdParam,
  MrrEntries,
  openApiDocument,
  PartnerListQuery,
  RecordOutcome,
  RegisterDeal,
  operations,
  SlugParam,
} from "../api/schemas";
import { normalizeDomain } from "../domain/customers";
import { closedAtFromDate } from "../domain/deals";
import { DealError, markLost, markWon } from "../domain/deals.server";
import { rememberResult, replayOf } from "../domain/idempotency.server";
import { applyMrrImport, ImportError, previewMrrImport } from "../domain/imports.server";
import { centsToDecimal } from "../domain/products";
import { partners } from "../../db/schema";
import { eq } from "drizzle-orm";
import { checkEndpointInput, insertWebhookEndpoint, listWebhookEndpoints, WebhookEndpointError } from "../webhooks/endpoints.server";
import { kickWebhooks } from "../webhooks/drain.server";

type FieldError = { field: string; message: string };

export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
    readonly errors?: FieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

function sendProblem(res: express.Response, req: express.Request, p: Problem) {
  for (const [k, v] of Object.entries(p.headers)) res.setHeader(k, v);
  res
    .status(p.status)
    .type("application/problem+json")
    .send(
      JSON.stringify({
        type: `about:blank`,
        title: p.title,
        status: p.status,
        detail: p.message,
        instance: req.originalUrl,
        ...(p.errors ? { errors: p.errors } : {}),
      }),
    );
}

function fieldErrors(error: ZodError, prefix = ""): FieldError[] {
  return error.issues.map((i) => ({ field: prefix + (i.path.join(".") || "(body)"), message: i.message }));
}

function parse<S extends ZodTypeAny>(schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    const errors = fieldErrors(result.error);
    throw new Problem(400, "Invalid request", `${errors.length} ${errors.length === 1 ? "field is" : "fields are"} invalid in the ${where}: ${errors.map((e) => `${e.field}: ${e.message}`).join(" ")}`, errors);
  }
  return result.data;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{8,255}$/;
type Answer = { status: number; body: unknown };

/**
 * Runs a POST once per Idempotency-Key: the first success is stored with its answer in the same
 * transaction as its writes; a retry gets that answer back (with `Idempotent-Replayed: true`).
 * The domain functions' own transactions nest as savepoints.
 */
function idempotent(db: DB, req: express.Request, caller: ApiCaller, op: string, run: (txDb: DB) => Answer): Answer & { replayed: boolean } {
  const header = req.get("idempotency-key");
  if (header !== undefined && !IDEMPOTENCY_KEY.test(header)) {
    throw new Problem(400, "Invalid request", "Idempotency-Key must be 8 to 255 visible ASCII characters, such as a UUID.", [{ field: "Idempotency-Key", message: "8 to 255 visible ASCII characters" }]);
  }
  const key = header ? { actor: `api-key:${caller.keyId}`, form: `api.${op}`, token: header } : null;
  return writeTransaction(db, (tx) => {
    const earlier = replayOf(tx, key);
    if (earlier) return { ...(JSON.parse(earlier) as Answer), replayed: true };
    const answer = run(tx as unknown as DB);
    if (answer.status < 300) rememberResult(tx, key, JSON.stringify(answer));
    return { ...answer, replayed: false };
  });
}

function requireProgramKey(caller: ApiCaller, what: string) {
  if (caller.partnerId !== null) throw new Problem(403, "Forbidden", `${what} needs a program key: a partner key reads and registers its own partner's deals only.`);
}

function domainProblem(error: unknown): never {
  if (error instanceof DealError) throw new Problem(error.status, error.status === 404 ? "Not found" : error.status === 409 ? "Conflict" : "Invalid request", error.message);
  if (error instanceof WebhookEndpointError) throw new Problem(error.status, "Invalid request", error.message, error.field ? [{ field: error.field, message: error.message }] : undefined);
  throw error;
}

export function createApiRouter(options: { db: DB; config: Config; mailer: Mailer }) {
  const { db, config, mailer } = options;
  const notifyCtx = { db, config, mailer };
  const limiter = new RateLimiter(config.API_RATE_LIMIT);
  const router = express.Router();
  const afterWrite = () => void kickWebhooks({ db });

  router.get("/openapi.json", (_req, res) => {
    res.json(openApiDocument(`${config.APP_URL}`));
  });
  router.get("/docs", (_req, res) => {
    res.type("html").send(apiReferenceHtml(openApiDocument(config.APP_URL), res.locals.cspNonce as string | undefined));
  });

  // Who is calling, before anything reads the body: no key, no further answer than 401.
  router.use((req, res, next) => {
    try {
      const caller = authenticate(req);
      const limit = limiter.take(caller.keyId);
      if (!limit.ok) {
        throw new Problem(429, "Too many requests", `This key made more than ${config.API_RATE_LIMIT} requests in a minute: retry in ${limit.retryAfterS} s.`, undefined, { "Retry-After": String(limit.retryAfterS) });
      }
      res.setHeader("RateLimit-Remaining", String(limit.remaining));
      res.locals.apiCaller = caller;
      next();
    } catch (error) {
      if (error instanceof Problem) return sendProblem(res, req, error);
      next(error);
    }
  });
  router.use(express.json({ limit: config.FORM_BODY_LIMIT, type: () => true }));

  const handlers: Record<string, (req: express.Request, caller: ApiCaller) => Answer | Promise<Answer>> = {
    listDeals(req, caller) {
      const q = parse(DealListQuery, req.query, "query string");
      let partnerId: number | undefined;
      if (q.partner) {
        const found = partnerIdBySlug(db, q.partner);
        // A partner key asking for another partner gets an empty page, as for an unknown slug.
        if (found === null && caller.partnerId === null) throw new Problem(400, "Invalid request", `No partner has the slug ${q.partner}.`, [{ field: "partner", message: "unknown partner slug" }]);
        partnerId = found ?? -1;
      }
      return {
        status: 200,
        body: listApiDeals(db, caller, { stage: q.stage, partnerId, updatedSince: q.updatedSince ? new Date(q.updatedSince) : undefined, limit: q.limit, cursor: q.cursor ? Number(q.cursor) || undefined : undefined }),
      };
    },
    getDeal(req, caller) {
      const { id } = parse(IdParam, req.params, "path");
      const deal = getApiDeal(db, caller, id);
      if (!deal) throw new Problem(404, "Not found", `There is no deal ${id}.`);
      return { status: 200, body: deal };
    },
    async registerDeal(req, caller) {
      const body = parse(RegisterDeal, req.body, "body");
      let partnerId: number;
      if (caller.partnerId !== null) {
        const own = db.select({ slug: partners.slug, status: partners.status, name: partners.name }).from(partners).where(eq(partners.id, caller.partnerId)).get();
        if (body.partner && body.partner !== own?.slug) throw new Problem(403, "Forbidden", "A partner key registers deals for its own partner only: leave `partner` out.");
        if (own && own.status !== "active") throw new Problem(409, "Conflict", `${own.name} is ${own.status}: only active partners register deals.`);
        partnerId = caller.partnerId;
      } else {
        if (!body.partner) throw new Problem(400, "Invalid request", "Say which partner registers the deal: `partner` is its slug.", [{ field: "partner", message: "required for a program key" }]);
        const found = db.select({ id: partners.id, status: partners.status, name: partners.name }).from(partners).where(eq(partners.slug, body.partner)).get();
        if (!found) throw new Problem(400, "Invalid request", `No partner has the slug ${body.partner}.`, [{ field: "partner", message: "unknown partner slug" }]);
        if (found.status !== "active") throw new Problem(409, "Conflict", `${found.name} is ${found.status}: only active partners register deals.`);
        partnerId = found.id;
      }
      const answer = idempotent(db, req, caller, "registerDeal", (txDb) => {
        // The reviewers' email is queued in the registration's (and idempotency key's) transaction.
        const result = registerDealAndNotify(
          { db: txDb, config },
          { userId: null, partnerId, actor: caller.actor },
          {
            companyName: body.companyName,
            domain: normalizeDomain(body.domain)!,
            contactName: body.contactName,
            contactEmail: body.contactEmail,
            amountCents: body.amountCents,
            currency: body.currency,
            expectedCloseOn: body.expectedCloseOn,
            productLine: body.productLine,
            notes: body.notes ?? "",
            conflictNote: body.conflictNote ?? null,
          },
        );
        if (result.status === "needs_confirmation") {
          throw new Problem(
            409,
            "Already registered",
            result.check.status === "own"
              ? `This partner already registered that account (deal ${result.check.dealId}). To register it again, send a conflictNote for the reviewer.`
              : "That account is already registered. To register it anyway, send a conflictNote (10+ characters) saying why this registration should stand; it will be flagged for review.",
            [{ field: "conflictNote", message: "required: the account is already registered" }],
          );
        }
        if (result.status === "replayed") throw new Error("unreachable: the API passes no form key");
        return { status: 201, body: getApiDeal(txDb, { partnerId: null }, result.dealId) };
      });
      afterWrite();
      if (!answer.replayed) await deliverQueued(notifyCtx);
      return answer;
    },
    async recordDealOutcome(req, caller) {
      requireProgramKey(caller, "Recording an outcome");
      const { id } = parse(IdParam, req.params, "path");
      const body = parse(RecordOutcome, req.body, "body");
      const answer = idempotent(db, req, caller, `recordDealOutcome.${id}`, (txDb) => {
        const deal = getApiDeal(txDb, { partnerId: null }, id);
        if (!deal) throw new Problem(404, "Not found", `There is no deal ${id}.`);
        try {
          if (body.stage === "won") {
            if (body.currency && body.currency !== deal.currency) {
              throw new Problem(400, "Invalid request", `Deal ${id} is in ${deal.currency}: give the won amount in ${deal.currency}.`, [{ field: "currency", message: `must be ${deal.currency}` }]);
            }
            const won = markWon(txDb, caller.actor, id, body.amountCents, closedAtFromDate(body.closedOn));
            // The won email commits with the outcome (and the idempotency key), once per deal.
            if (won.changed && won.partnerId !== null) enqueueDealWon({ db: txDb, config }, txDb as unknown as Tx, id);
          } else {
            markLost(txDb, caller.actor, id, body.reason, closedAtFromDate(body.closedOn));
          }
        } catch (error) {
          domainProblem(error);
        }
        return { status: 200, body: { deal: getApiDeal(txDb, { partnerId: null }, id), changed: true } };
      });
      afterWrite();
      const { deal } = answer.body as { deal: { stage: string; partnerId: number | null } };
      if (!answer.replayed && body.stage === "won" && deal.partnerId !== null) await deliverQueued(notifyCtx);
      return { ...answer, body: deal };
    },
    recordMrr(req, caller) {
      requireProgramKey(caller, "Recording MRR");
      const body = parse(MrrEntries, req.body, "body");
      const quote = (v: string) => `"${v.replace(/"/g, '""')}"`;
      const csv = ["domain,month,mrr", ...body.entries.map((e) => [quote(e.domain), e.month, centsToDecimal(e.mrrCents)].join(","))].join("\n");
      const preview = previewMrrImport(db, csv);
      if (!preview.valid) {
        const errors = preview.rows.flatMap((r) => r.errors.map((message) => ({ field: `entries.${r.line - 2}`, message })));
        throw new Problem(400, "Invalid request", `${errors.length || preview.errors.length} problem(s); nothing was recorded. ${preview.errors.join(" ")}`.trim(), errors.length ? errors : preview.errors.map((message) => ({ field: "entries", message })));
      }
      return idempotent(db, req, caller, "recordMrr", (txDb) => {
        if (preview.nothingToChange) return { status: 200, body: { inserted: 0, updated: 0, unchanged: preview.rows.length } };
        try {
          return { status: 200, body: applyMrrImport(txDb, caller.actor, csv) };
        } catch (error) {
          if (error instanceof ImportError) throw new Problem(400, "Invalid request", error.message);
          throw error;
        }
      });
    },
    getDealAttribution(req, caller) {
      const { id } = parse(IdParam, req.params, "path");
      const credit = dealCreditByModel(db, caller, id);
      if (!credit) throw new Problem(404, "Not found", `There is no deal ${id}.`);
      return { status: 200, body: credit };
    },
    listPartners(req) {
      const q = parse(PartnerListQuery, req.query, "query string");
      return { status: 200, body: listApiPartners(db, { status: q.status, limit: q.limit, cursor: q.cursor ? Number(q.cursor) || undefined : undefined }) };
    },
    getPartner(req) {
      const { slug } = parse(SlugParam, req.params, "path");
      const partner = getApiPartner(db, slug);
      if (!partner) throw new Problem(404, "Not found", `No partner has the slug ${slug}.`);
      return { status: 200, body: partner };
    },
    getPartnerTierHistory(req) {
      const { slug } = parse(SlugParam, req.params, "path");
      const id = partnerIdBySlug(db, slug);
      if (id === null) throw new Problem(404, "Not found", `No partner has the slug ${slug}.`);
      return { status: 200, body: { data: apiTierHistory(db, id) } };
    },
    listWebhookEndpoints() {
      return {
        status: 200,
        body: { data: listWebhookEndpoints(db).map((e) => ({ id: e.id, url: e.url, description: e.description, eventTypes: e.eventTypes, disabledAt: e.disabledAt?.toISOString() ?? null })) },
      };
    },
    async createWebhookEndpoint(req, caller) {
      const body = parse(CreateWebhookEndpoint, req.body, "body");
      let checked;
      try {
        checked = await checkEndpointInput(db, body);
      } catch (error) {
        domainProblem(error);
      }
      return idempotent(db, req, caller, "createWebhookEndpoint", (txDb) => ({ status: 201, body: insertWebhookEndpoint(txDb, caller.actor, checked) }));
    },
  };

  for (const op of operations) {
    if (op.scope === null) continue;
    const handler = handlers[op.operationId];
    if (!handler) throw new Error(`No handler for ${op.operationId}`);
    router[op.method](op.path, async (req, res) => {
      try {
        const caller = res.locals.apiCaller as ApiCaller;
        if (!caller.scopes.includes(op.scope!)) throw new Problem(403, "Forbidden", `This key lacks the scope ${op.scope}: create a key with it in Settings → API.`);
        const answer = await handler(req, caller);
        if ("replayed" in answer && answer.replayed) res.setHeader("Idempotent-Replayed", "true");
        res.status(answer.status).json(answer.body);
      } catch (error) {
        if (error instanceof Problem) return sendProblem(res, req, error);
        try {
          domainProblem(error);
        } catch (mapped) {
          if (mapped instanceof Problem) return sendProblem(res, req, mapped);
        }
        console.error(`API ${req.method} ${req.originalUrl} failed:`, error);
        sendProblem(res, req, new Problem(500, "Server error", "Something went wrong on our side. Try again in a moment (with the same Idempotency-Key)."));
      }
    });
  }

  function authenticate(req: express.Request): ApiCaller {
    const header = req.get("authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const challenge = { "WWW-Authenticate": 'Bearer realm="api"' };
    if (!match) throw new Problem(401, "Unauthorized", "Send an API key as `Authorization: Bearer <key>` (cookies do not authenticate the API).", undefined, challenge);
    const caller = authenticateApiKey(db, match[1]!);
    if (!caller) throw new Problem(401, "Unauthorized", "That API key is unknown or revoked.", undefined, challenge);
    return caller;
  }

  router.use((req, res) => sendProblem(res, req, new Problem(404, "Not found", `No API operation ${req.method} ${req.path}: see /api/v1/openapi.json.`)));
  router.use((error: unknown, req: express.Request, res: express.Response, _next: express.NextFunction) => {
    const e = error as { type?: string; status?: number; message?: string };
    if (e?.type === "entity.parse.failed") return sendProblem(res, req, new Problem(400, "Invalid request", "The body is not valid JSON.", [{ field: "(body)", message: "invalid JSON" }]));
    if (e?.type === "entity.too.large") return sendProblem(res, req, new Problem(413, "Payload too large", `The body is larger than ${config.FORM_BODY_LIMIT} bytes.`));
    console.error(`API ${req.method} ${req.originalUrl} failed:`, error);
    sendProblem(res, req, new Problem(500, "Server error", "Something went wrong on our side."));
  });
  return router;
}
