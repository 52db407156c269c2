// Row factories shared by the demo seed and the tests: each inserts one row with realistic
// defaults, keeps the invariants the schema cannot express (deal stage ⇔ timestamps, one claim
// holder per customer, role ⇔ partner), and returns the inserted row. Also owns the default
// program: the settings row and the tier ladder of docs/domain.md "Tiers".
import { and, asc, eq, sql } from "drizzle-orm";
import { normalizeCompanyName, normalizeDomain, slugify } from "../app/domain/customers";
import { PRODUCT_LINES } from "../app/domain/products";
import { generateUserId } from "../app/auth/tokens.server";
import type { DB } from "../app/db.server";
import { actorOf } from "../app/domain/audit.server";
import { refreshDealRollups } from "../app/domain/rollups.server";
import type { RegistrationInput } from "../app/domain/deals.server";
import {
  customers,
  deals,
  partners,
  programSettings,
  tiers,
  touches,
  users,
  type Deal,
  type DealStage,
  type Partner,
  type Tier,
  type Touch,
  type User,
} from "./schema";

type NewTier = typeof tiers.$inferInsert;
type NewPartner = typeof partners.$inferInsert;
type NewUser = typeof users.$inferInsert;
type NewCustomer = typeof customers.$inferInsert;
type NewDeal = typeof deals.$inferInsert;
type NewTouch = typeof touches.$inferInsert;
export type Customer = typeof customers.$inferSelect;
export type ProgramSettings = typeof programSettings.$inferSelect;

const DAY = 86_400_000;

/** The default ladder (docs/domain.md "Tiers"). Thresholds are over the trailing 12 months. */
export const DEFAULT_TIERS: readonly Omit<NewTier, "id">[] = [
  {
    name: "Registered",
    mdfQuarterCents: 0,
    rank: 0,
    minRevenueCents: 0,
    minWonDeals: 0,
    thresholdRule: "all",
    benefits:
      "Partner portal access, deal registration with 90-day protection, partner newsletter and self-paced training.",
  },
  {
    name: "Silver",
    mdfQuarterCents: 500_000,
    rank: 1,
    minRevenueCents: 5_000_000,
    minWonDeals: 3,
    thresholdRule: "any",
    benefits:
      "10% resale discount, co-branded collateral, listing in the partner directory, quarterly pipeline review.",
  },
  {
    name: "Gold",
    mdfQuarterCents: 2_500_000,
    rank: 2,
    minRevenueCents: 25_000_000,
    minWonDeals: 10,
    thresholdRule: "all",
    benefits:
      "20% resale discount, named partner manager, market development funds (MDF), two free certification seats.",
  },
  {
    name: "Platinum",
    mdfQuarterCents: 7_500_000,
    rank: 3,
    minRevenueCents: 100_000_000,
    minWonDeals: 25,
    thresholdRule: "all",
    benefits:
      "30% resale discount, joint business plan, co-selling with the field team, priority support and roadmap briefings.",
  },
];

/** The pillar each touch kind usually belongs to (build | market | sell | serve). */
export const PILLAR_OF_TOUCH_KIND = {
  referral: "sell",
  co_sell_meeting: "sell",
  technical_validation: "build",
  implementation: "serve",
  co_marketing: "market",
  integration: "build",
  support: "serve",
} as const;

// Distinct default names within one process, so two factory calls never collide on a unique
// index (each test file works on its own database, but one file may create many rows).
let sequence = 0;
const next = () => ++sequence;

function toDate(value: Date | number | null | undefined): Date | null {
  if (value == null) return null;
  return value instanceof Date ? value : new Date(value);
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function createTier(db: DB, values: Partial<NewTier> = {}): Tier {
  const rank =
    values.rank ??
    (db
      .select({ max: sql<number | null>`max(${tiers.rank})` })
      .from(tiers)
      .get()?.max ?? -1) + 1;
  return db
    .insert(tiers)
    .values({ name: `Tier ${rank} #${next()}`, benefits: "Portal access.", ...values, rank })
    .returning()
    .get();
}

/**
 * The program_settings row (id 1) and, when there are no tiers at all, the default ladder.
 * Idempotent, and it never touches a ladder an admin has already edited.
 */
export function ensureDefaultProgram(db: DB): { settings: ProgramSettings; tiers: Tier[] } {
  return db.transaction(
    (tx) => {
      tx.insert(programSettings).values({ id: 1 }).onConflictDoNothing().run();
      const existing =
        tx
          .select({ n: sql<number>`count(*)` })
          .from(tiers)
          .get()?.n ?? 0;
      if (existing === 0)
        tx.insert(tiers)
          .values([...DEFAULT_TIERS])
          .run();
      return {
        settings: tx.select().from(programSettings).where(eq(programSettings.id, 1)).get()!,
        tiers: tx.select().from(tiers).orderBy(asc(tiers.rank)).all(),
      };
    },
    { behavior: "immediate" }
  );
}

function lowestTierId(db: DB): number {
  const tier = db.select({ id: tiers.id }).from(tiers).orderBy(asc(tiers.rank)).limit(1).get();
  return tier?.id ?? ensureDefaultProgram(db).tiers[0]!.id;
}

function protectionDays(db: DB): number {
  const row = db
    .select({ days: programSettings.protectionDays })
    .from(programSettings)
    .where(eq(programSettings.id, 1))
    .get();
  return row?.days ?? 90;
}

const PARTNER_NAMES = [
  "Northwind Solutions",
  "Bluegate Systems",
  "Summit Consulting",
  "Harborline Digital",
  "Cedarpoint Advisors",
  "Ironforge Labs",
];

/** A partner; the tier defaults to the lowest rank (the default ladder is created if needed). */
export function createPartner(db: DB, values: Partial<NewPartner> = {}): Partner {
  const n = next();
  const name = values.name ?? `${PARTNER_NAMES[n % PARTNER_NAMES.length]} ${n}`;
  const slug = values.slug ?? slugify(name);
  return db
    .insert(partners)
    .values({
      kind: "reseller",
      region: "North America",
      status: "active",
      website: `https://www.${slug}.example`,
      joinedOn: isoDate(Date.now() - 365 * DAY),
      reportFormat: "pdf",
      ...values,
      name,
      slug,
      tierId: values.tierId ?? lowestTierId(db),
    })
    .returning()
    .get();
}

const PARTNER_ROLES = new Set(["partner_user", "partner_admin"]);

/**
 * A user. `passwordHash` is an already computed argon2 hash (hash once per test run, argon2
 * is slow on purpose) or null for a user who has not set a password. Partner roles need a
 * partner: one is created when none is given. Staff roles must not have one (the users CHECK).
 */
export function createUser(db: DB, values: Partial<NewUser> = {}): User {
  const role = values.role ?? "partner_user";
  let partnerId = values.partnerId ?? null;
  if (PARTNER_ROLES.has(role)) {
    partnerId ??= createPartner(db).id;
  } else if (partnerId != null) {
    throw new Error(`createUser: a ${role} cannot belong to a partner (got partnerId ${partnerId})`);
  }
  const n = next();
  const passwordHash = values.passwordHash ?? null;
  return db
    .insert(users)
    .values({
      id: generateUserId(),
      name: `Sam Sample ${n}`,
      passwordChangedAt: passwordHash ? new Date() : null,
      // As when an invitation is accepted: partner admins start opted in to the monthly report.
      reportOptIn: role === "partner_admin",
      ...values,
      email: (values.email ?? `${role.replace("_", ".")}.${n}@example.test`).trim().toLowerCase(),
      role,
      partnerId,
      passwordHash,
    })
    .returning()
    .get();
}

/** A customer; the domain is normalized (and must be plausible), the name key derived. */
export function createCustomer(db: DB, values: Partial<NewCustomer> = {}): Customer {
  const n = next();
  const name = values.name ?? `Brightwater Logistics ${n} Inc.`;
  const rawDomain = values.domain ?? `${slugify(normalizeCompanyName(name))}.com`;
  const domain = normalizeDomain(rawDomain);
  if (!domain) throw new Error(`createCustomer: ${JSON.stringify(rawDomain)} is not a domain`);
  return db
    .insert(customers)
    .values({ ...values, name, domain, normalizedName: values.normalizedName ?? normalizeCompanyName(name) })
    .returning()
    .get();
}

const DECIDED: ReadonlySet<DealStage> = new Set(["approved", "rejected", "won", "lost", "expired"]);
const CLOSED: ReadonlySet<DealStage> = new Set(["won", "lost"]);
const OPEN: ReadonlySet<DealStage> = new Set(["submitted", "approved"]);

/**
 * A deal whose timestamps agree with its stage. Defaults count back from `now` so nothing is
 * in the future: submitted ⇒ no decision; approved/won/lost/expired ⇒ decidedAt (2 days after
 * submission) and, for partner deals, protectionEndsAt = decidedAt + protection days;
 * won/lost ⇒ closedAt; rejected ⇒ a reason; lost ⇒ a reason. A partner's open (submitted or
 * approved) deal holds the customer's claim unless another deal already does.
 *
 * `partnerId` left out creates a partner; pass `partnerId: null` for a direct deal.
 * Explicit values win, but contradictions (a closedAt on an open deal, a decision before the
 * submission) throw, so a test cannot build an impossible deal by accident.
 * Inserts one row; `withSubmissionTouch` also records the registering partner's submission
 * touch (kind referral, pillar sell) as the app does on registration.
 */
export function createDeal(
  db: DB,
  values: Partial<NewDeal> = {},
  options: { now?: Date; withSubmissionTouch?: boolean } = {}
): Deal {
  const now = (options.now ?? new Date()).getTime();
  const stage: DealStage = values.stage ?? "submitted";
  const partnerId = values.partnerId === undefined ? createPartner(db).id : values.partnerId;
  const customer =
    values.customerId != null
      ? db.select().from(customers).where(eq(customers.id, values.customerId)).get()
      : createCustomer(db);
  if (!customer) throw new Error(`createDeal: no customer ${values.customerId}`);

  const defaultAge: Record<DealStage, number> = {
    submitted: 1 * DAY,
    approved: 10 * DAY,
    rejected: 5 * DAY,
    won: 60 * DAY,
    lost: 60 * DAY,
    expired: (protectionDays(db) + 10) * DAY,
  };
  const submittedAt = toDate(values.submittedAt) ?? new Date(now - defaultAge[stage]);
  const s = submittedAt.getTime();

  let decidedAt = toDate(values.decidedAt);
  if (!decidedAt && DECIDED.has(stage))
    decidedAt = new Date(Math.min(s + 2 * DAY, Math.max(s + 60_000, now)));
  let protectionEndsAt = toDate(values.protectionEndsAt);
  if (values.protectionEndsAt === undefined && decidedAt && partnerId != null && stage !== "rejected") {
    protectionEndsAt = new Date(decidedAt.getTime() + protectionDays(db) * DAY);
  }
  let closedAt = toDate(values.closedAt);
  if (!closedAt && CLOSED.has(stage)) {
    const d = decidedAt!.getTime();
    closedAt = new Date(Math.max(d + 3_600_000, Math.min(d + 30 * DAY, now)));
  }

  const problem =
    (stage === "submitted" && decidedAt && "a submitted deal has no decision yet") ||
    (!CLOSED.has(stage) && closedAt && `a ${stage} deal has no closedAt`) ||
    (decidedAt && decidedAt.getTime() < s && "decidedAt is before submittedAt") ||
    (closedAt && decidedAt && closedAt.getTime() < decidedAt.getTime() && "closedAt is before decidedAt") ||
    (values.holdsClaim &&
      !(partnerId != null && OPEN.has(stage)) &&
      "only an open partner deal holds a claim");
  if (problem) throw new Error(`createDeal: ${problem}`);

  let holdsClaim = values.holdsClaim;
  if (holdsClaim === undefined) {
    const held = db
      .select({ id: deals.id })
      .from(deals)
      .where(and(eq(deals.customerId, customer.id), eq(deals.holdsClaim, true)))
      .get();
    holdsClaim = partnerId != null && OPEN.has(stage) && !held;
  }

  const productLine = values.productLine ?? PRODUCT_LINES[0];
  const deal = db
    .insert(deals)
    .values({
      title: `${customer.name} — ${productLine}`,
      amountCents: 2_500_000,
      expectedCloseOn: isoDate(closedAt?.getTime() ?? s + 60 * DAY),
      contactName: "Jordan Rivera",
      contactEmail: `jordan.rivera@${customer.domain}`,
      rejectionReason:
        stage === "rejected"
          ? "The customer is already in an active opportunity with our direct team."
          : null,
      lostReason: stage === "lost" ? "Chose a competitor on price." : null,
      ...values,
      customerId: customer.id,
      partnerId,
      productLine,
      stage,
      holdsClaim,
      submittedAt,
      decidedAt,
      protectionEndsAt,
      closedAt,
    })
    .returning()
    .get();
  // As every write in the app does: the analytics rollups follow the deal in the same breath.
  refreshDealRollups(db, deal.id);

  if (options.withSubmissionTouch && partnerId != null) {
    createTouch(db, {
      dealId: deal.id,
      partnerId,
      occurredAt: submittedAt,
      kind: "referral",
      pillar: "sell",
      journeyStage: "consideration",
      createdBy: deal.submittedBy,
    });
  }
  return deal;
}

/**
 * A partner's touch on a deal. Defaults: the deal's registering partner (a new partner for a
 * direct deal), a co-sell meeting a day after submission (never after the close or now), the
 * pillar that goes with the kind.
 */
export function createTouch(db: DB, values: Partial<NewTouch> = {}): Touch {
  const deal =
    values.dealId != null
      ? db.select().from(deals).where(eq(deals.id, values.dealId)).get()
      : createDeal(db, { stage: "won" });
  if (!deal) throw new Error(`createTouch: no deal ${values.dealId}`);
  const kind = values.kind ?? "co_sell_meeting";
  const latest = Math.min(deal.closedAt?.getTime() ?? Date.now(), Date.now());
  const occurredAt =
    toDate(values.occurredAt) ??
    new Date(Math.max(deal.submittedAt.getTime(), Math.min(deal.submittedAt.getTime() + DAY, latest)));
  const touch = db
    .insert(touches)
    .values({
      journeyStage: "consideration",
      ...values,
      dealId: deal.id,
      partnerId: values.partnerId ?? deal.partnerId ?? createPartner(db).id,
      kind,
      pillar: values.pillar ?? PILLAR_OF_TOUCH_KIND[kind],
      occurredAt,
    })
    .returning()
    .get();
  refreshDealRollups(db, deal.id);
  return touch;
}

/** A partner with one salesperson, and the caller identity (`who`) the deal functions take. */
export function createPartnerWithUser(db: DB, name?: string) {
  const n = next();
  const partner = createPartner(db, { name: name ?? `Contender ${n}`, slug: `contender-${n}-${Date.now()}` });
  const user = createUser(db, { role: "partner_user", partnerId: partner.id, name: `Casey Contender ${n}` });
  return { partner, user, who: { userId: user.id, partnerId: partner.id, actor: actorOf(user) } };
}

/** What a partner types into the registration form for `domain`. */
export function registrationInput(domain: string, values: Partial<RegistrationInput> = {}): RegistrationInput {
  return {
    companyName: "Acme Rockets Inc.",
    domain,
    contactName: "Jordan Rivera",
    contactEmail: `Jordan.Rivera@${domain}`,
    amountCents: 4_250_050,
    currency: "USD",
    expectedCloseOn: "2099-06-30",
    productLine: "Platform",
    notes: "Evaluating the platform for three teams.",
    ...values,
  };
}
