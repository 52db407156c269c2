// The API's contract: the zod schemas that validate every request (and describe every answer),
// registered once into the OpenAPI 3.1 document served at /api/v1/openapi.json. The router
// validates with these very objects, so the document cannot drift from the checks.
import { extendZodWithOpenApi, OpenAPIRegistry, OpenApiGeneratorV31 } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import { API_SCOPES, ATTRIBUTION_MODELS, DEAL_STAGES, PARTNER_STATUSES, WEBHOOK_EVENT_TYPES } from "../../db/schema";
import { normalizeDomain } from "../domain/customers";
import { DEAL_CURRENCIES, MAX_AMOUNT_CENTS, PRODUCT_LINES } from "../domain/products";

extendZodWithOpenApi(z);

export const registry = new OpenAPIRegistry();
const bearer = registry.registerComponent("securitySchemes", "apiKey", {
  type: "http",
  scheme: "bearer",
  description: "An API key (`ppk_…`) from Settings → API, or `npm run api -- key create`.",
});

const isoDay = (s: string) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) === s;
const calendarDate = (what: string) =>
  z
    .string({ required_error: `Give ${what} as YYYY-MM-DD.` })
    .regex(/^\d{4}-\d{2}-\d{2}$/, `Give ${what} as YYYY-MM-DD, such as 2030-06-30.`)
    .refine(isoDay, "That date does not exist: check the day and month.");
const cents = (what: string) =>
  z
    .number({ required_error: `Give ${what} in integer cents.`, invalid_type_error: `Give ${what} as an integer number of cents.` })
    .int(`Give ${what} in integer cents (no decimals): 2500000 is 25,000.00.`)
    .positive(`${what[0]!.toUpperCase()}${what.slice(1)} must be above zero.`)
    .max(MAX_AMOUNT_CENTS, `That ${what} is too large: check the number of zeros.`);

export const Problem = registry.register(
  "Problem",
  z
    .object({
      type: z.string().openapi({ example: "https://portal.example.com/api/v1/docs#problems" }),
      title: z.string(),
      status: z.number().int(),
      detail: z.string(),
      errors: z
        .array(z.object({ field: z.string(), message: z.string() }))
        .optional()
        .openapi({ description: "One entry per invalid field (JSON pointer-like dotted path)." }),
    })
    .openapi({ description: "RFC 9457 problem details (application/problem+json)." }),
);

export const Deal = registry.register(
  "Deal",
  z.object({
    id: z.number().int(),
    partnerId: z.number().int().nullable(),
    partnerSlug: z.string().nullable(),
    domain: z.string(),
    customerName: z.string(),
    stage: z.enum(DEAL_STAGES),
    amountCents: z.number().int(),
    currency: z.string(),
    productLine: z.string(),
    expectedCloseOn: z.string(),
    submittedAt: z.string().datetime(),
    decidedAt: z.string().datetime().nullable(),
    protectionEndsAt: z.string().datetime().nullable(),
    closedAt: z.string().datetime().nullable(),
  }),
);

const page = <T extends z.ZodTypeAny>(item: T) =>
  z.object({
    data: z.array(item),
    nextCursor: z.string().nullable().openapi({ description: "Pass as `cursor` for the next page; null on the last page." }),
  });

export const DealListQuery = z.object({
  stage: z.enum(DEAL_STAGES, { errorMap: () => ({ message: `Choose a stage: ${DEAL_STAGES.join(", ")}.` }) }).optional(),
  partner: z.string().min(1).optional().openapi({ description: "A partner's slug." }),
  updatedSince: z
    .string()
    .datetime({ offset: true, message: "Give updatedSince as an ISO 8601 instant such as 2030-01-31T00:00:00Z." })
    .optional(),
  limit: z.coerce.number({ invalid_type_error: "limit must be a number from 1 to 100." }).int().min(1, "limit must be at least 1.").max(100, "limit must be at most 100.").default(25),
  cursor: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, "That cursor is not one of ours: use nextCursor from the previous page.").optional(),
});

export const IdParam = z.object({ id: z.coerce.number({ invalid_type_error: "The id must be a number." }).int().positive().openapi({ param: { name: "id", in: "path" } }) });

export const RegisterDeal = registry.register(
  "RegisterDeal",
  z.object({
    partner: z.string().min(1).optional().openapi({ description: "The partner's slug; required for a program key, omitted (or its own) for a partner key." }),
    companyName: z.string({ required_error: "Give the customer's company name." }).trim().min(2, "Give the customer's full company name.").max(120, "Shorten the company name to 120 characters or fewer."),
    domain: z
      .string({ required_error: "Give the customer's website, such as acme.com." })
      .trim()
      .max(255)
      .refine((v) => normalizeDomain(v) !== null, "Give the customer's website as a domain such as acme.com or a URL such as https://www.acme.com.")
      .openapi({ example: "acme.com" }),
    contactName: z.string({ required_error: "Give the name of your contact at the customer." }).trim().min(2, "Give the contact's full name.").max(120),
    contactEmail: z.string({ required_error: "Give the contact's email address." }).trim().max(254).email("Give an email address such as jordan@acme.com."),
    amountCents: cents("the estimated amount"),
    currency: z.enum(DEAL_CURRENCIES, { errorMap: () => ({ message: `Choose the currency: ${DEAL_CURRENCIES.join(", ")}.` }) }),
    expectedCloseOn: calendarDate("the expected close date"),
    productLine: z.enum(PRODUCT_LINES, { errorMap: () => ({ message: `Choose a product line: ${PRODUCT_LINES.join(", ")}.` }) }),
    notes: z.string().trim().max(2000, "Shorten the notes to 2,000 characters or fewer.").optional(),
    conflictNote: z
      .string()
      .trim()
      .min(10, "Write a note for the reviewer of at least 10 characters.")
      .max(1000)
      .optional()
      .openapi({ description: "Required when the account is already registered (a 409 says so): why this registration should stand." }),
  }),
);

export const RecordOutcome = registry.register(
  "RecordOutcome",
  z.discriminatedUnion(
    "stage",
    [
      z.object({ stage: z.literal("won"), amountCents: cents("the won amount"), currency: z.enum(DEAL_CURRENCIES).optional(), closedOn: calendarDate("the close date") }),
      z.object({ stage: z.literal("lost"), reason: z.string({ required_error: "Say why the deal was lost." }).trim().min(3, "Say why the deal was lost.").max(500), closedOn: calendarDate("the close date") }),
    ],
    { errorMap: () => ({ message: "stage must be won or lost." }) },
  ),
);

export const MrrEntries = registry.register(
  "MrrEntries",
  z.object({
    entries: z
      .array(
        z.object({
          domain: z.string().min(1, "Give the customer's domain."),
          month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "Give the month as YYYY-MM."),
          mrrCents: z.number().int("Give mrrCents in integer cents.").min(0, "MRR cannot be negative."),
        }),
      )
      .min(1, "Send at least one entry.")
      .max(5000, "Send at most 5,000 entries per request."),
  }),
);
export const MrrResult = registry.register("MrrResult", z.object({ inserted: z.number().int(), updated: z.number().int(), unchanged: z.number().int() }));

export const Partner = registry.register(
  "Partner",
  z.object({
    id: z.number().int(),
    slug: z.string(),
    name: z.string(),
    kind: z.string(),
    region: z.string(),
    status: z.enum(PARTNER_STATUSES),
    tier: z.string(),
    manager: z.object({ name: z.string(), email: z.string() }).nullable(),
    joinedOn: z.string(),
  }),
);
export const PartnerListQuery = z.object({
  status: z.enum(PARTNER_STATUSES, { errorMap: () => ({ message: `Choose a status: ${PARTNER_STATUSES.join(", ")}.` }) }).optional(),
  limit: DealListQuery.shape.limit,
  cursor: DealListQuery.shape.cursor,
});
export const SlugParam = z.object({ slug: z.string().min(1).openapi({ param: { name: "slug", in: "path" } }) });

export const TierHistoryEntry = registry.register(
  "TierHistoryEntry",
  z.object({
    period: z.string(),
    status: z.string(),
    direction: z.string(),
    fromTier: z.string(),
    toTier: z.string(),
    resultTier: z.string(),
    decidedAt: z.string().datetime().nullable(),
  }),
);

export const DealCredit = registry.register(
  "DealCredit",
  z.object({
    dealId: z.number().int(),
    stage: z.enum(DEAL_STAGES),
    reportingCurrency: z.string(),
    reportingCents: z.number().int().nullable().openapi({ description: "The won amount in the reporting currency; null until won or without a rate." }),
    models: z.array(
      z.object({
        model: z.enum(ATTRIBUTION_MODELS),
        credits: z.array(z.object({ partnerId: z.number().int().nullable(), partnerSlug: z.string().nullable(), cents: z.number().int() })),
      }),
    ),
  }),
);

export const WebhookEndpoint = registry.register(
  "WebhookEndpoint",
  z.object({
    id: z.number().int(),
    url: z.string(),
    description: z.string(),
    eventTypes: z.array(z.enum(WEBHOOK_EVENT_TYPES)),
    disabledAt: z.string().datetime().nullable(),
    secret: z.string().optional().openapi({ description: "`whsec_…`: returned once, when the endpoint is created." }),
  }),
);
export const CreateWebhookEndpoint = registry.register(
  "CreateWebhookEndpoint",
  z.object({
    url: z.string({ required_error: "Give the endpoint's URL." }).min(1, "Give the endpoint's URL.").max(2000),
    description: z.string().trim().max(200).optional(),
    eventTypes: z
      .array(z.enum(WEBHOOK_EVENT_TYPES, { errorMap: () => ({ message: `Choose event types from ${WEBHOOK_EVENT_TYPES.join(", ")}.` }) }))
      .min(1, "Choose at least one event type."),
  }),
);

const problem = (description: string) => ({ description, content: { "application/problem+json": { schema: Problem } } });
const json = (schema: z.ZodTypeAny, description = "OK") => ({ description, content: { "application/json": { schema } } });
const errors = {
  400: problem("Invalid request: `errors` lists each field and what to fix."),
  401: problem("No key, or an unknown or revoked key."),
  403: problem("The key lacks the scope this operation needs."),
  429: problem("Rate limit: wait the number of seconds in Retry-After."),
};
const idempotencyHeader = z.object({
  "idempotency-key": z.string().optional().openapi({ description: "Any unique string (8–255 visible characters): a retry with the same key returns the first result." }),
});

/** Operations: method, path (express style), scope. The router mounts exactly these. */
export type Operation = { method: "get" | "post" | "delete"; path: string; operationId: string; scope: (typeof API_SCOPES)[number] | null };
export const operations: Operation[] = [];

function op(o: Operation & { summary: string; request?: Record<string, unknown>; responses: Record<number, unknown> }) {
  operations.push({ method: o.method, path: o.path, operationId: o.operationId, scope: o.scope });
  registry.registerPath({
    method: o.method,
    path: `/api/v1${o.path.replace(/:(\w+)/g, "{$1}")}`,
    operationId: o.operationId,
    summary: o.summary,
    description: o.scope ? `Scope: \`${o.scope}\`.` : "Public.",
    security: o.scope ? [{ [bearer.name]: [] }] : [],
    request: o.request as never,
    responses: o.responses as never,
  });
}

op({ method: "get", path: "/deals", operationId: "listDeals", scope: "deals:read", summary: "List deals (cursor pagination, oldest first)", request: { query: DealListQuery }, responses: { 200: json(page(Deal)), ...errors } });
op({ method: "get", path: "/deals/:id", operationId: "getDeal", scope: "deals:read", summary: "Get a deal", request: { params: IdParam }, responses: { 200: json(Deal), 404: problem("No such deal (or not this key's partner's)."), ...errors } });
op({
  method: "post",
  path: "/deals",
  operationId: "registerDeal",
  scope: "deals:write",
  summary: "Register a deal on a partner's behalf",
  request: { headers: idempotencyHeader, body: { content: { "application/json": { schema: RegisterDeal } } } },
  responses: { 201: json(Deal, "Registered (flagged for review when `conflictNote` was needed)"), 409: problem("The account is already registered: resend with conflictNote."), ...errors },
});
op({
  method: "post",
  path: "/deals/:id/outcome",
  operationId: "recordDealOutcome",
  scope: "deals:write",
  summary: "Record a deal won or lost (program keys)",
  request: { params: IdParam, headers: idempotencyHeader, body: { content: { "application/json": { schema: RecordOutcome } } } },
  responses: { 200: json(Deal), 404: problem("No such deal."), 409: problem("Only approved deals can be won or lost."), ...errors },
});
op({
  method: "post",
  path: "/mrr",
  operationId: "recordMrr",
  scope: "deals:write",
  summary: "Record customers' monthly recurring revenue (program keys; same rules as the MRR CSV import)",
  request: { headers: idempotencyHeader, body: { content: { "application/json": { schema: MrrEntries } } } },
  responses: { 200: json(MrrResult), ...errors },
});
op({ method: "get", path: "/deals/:id/attribution", operationId: "getDealAttribution", scope: "attribution:read", summary: "A deal's credit under every attribution model", request: { params: IdParam }, responses: { 200: json(DealCredit), 404: problem("No such deal."), ...errors } });
op({ method: "get", path: "/partners", operationId: "listPartners", scope: "partners:read", summary: "List partners", request: { query: PartnerListQuery }, responses: { 200: json(page(Partner)), ...errors } });
op({ method: "get", path: "/partners/:slug", operationId: "getPartner", scope: "partners:read", summary: "Get a partner (tier, status, manager)", request: { params: SlugParam }, responses: { 200: json(Partner), 404: problem("No such partner."), ...errors } });
op({ method: "get", path: "/partners/:slug/tier-history", operationId: "getPartnerTierHistory", scope: "partners:read", summary: "A partner's decided tier reviews, newest first", request: { params: SlugParam }, responses: { 200: json(z.object({ data: z.array(TierHistoryEntry) })), 404: problem("No such partner."), ...errors } });
op({ method: "get", path: "/webhook-endpoints", operationId: "listWebhookEndpoints", scope: "webhooks:manage", summary: "List webhook endpoints", responses: { 200: json(z.object({ data: z.array(WebhookEndpoint) })), ...errors } });
op({
  method: "post",
  path: "/webhook-endpoints",
  operationId: "createWebhookEndpoint",
  scope: "webhooks:manage",
  summary: "Add a webhook endpoint (the secret is returned once)",
  request: { headers: idempotencyHeader, body: { content: { "application/json": { schema: CreateWebhookEndpoint } } } },
  responses: { 201: json(WebhookEndpoint), ...errors },
});
op({ method: "get", path: "/openapi.json", operationId: "getOpenApiDocument", scope: null, summary: "This document", responses: { 200: json(z.object({}).passthrough()) } });

let cached: object | null = null;
/** The OpenAPI 3.1 document; `serverUrl` is APP_URL. */
export function openApiDocument(serverUrl: string) {
  cached ??= new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: "3.1.0",
    info: {
      title: "Partner Portal API",
      version: "1.0.0",
      description:
        "Deals, partners, attribution and webhooks. Authenticate with `Authorization: Bearer <key>`. Every POST accepts an `Idempotency-Key`. Errors are RFC 9457 problem+json with a field list. Webhooks follow the Standard Webhooks specification.",
    },
    servers: [{ url: "/" }],
  });
  return { ...(cached as Record<string, unknown>), servers: [{ url: serverUrl }] };
}
