import { and, eq } from "drizzle-orm";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDeal, createPartner, createUser, ensureDefaultProgram } from "../../db/factories";
import {
  auditEvents,
  partners,
  programSettings,
  tierEvaluations,
  tierReviews,
  tiers,
  type Tier,
} from "../../db/schema";
import { createTestDatabase } from "../../tests/support/db";
import { closeDatabase, type DB } from "../db.server";
import { createMailer, listOutbox, type Mailer } from "../mailer.server";
import { jobs } from "../jobs/scheduler.server";
import { actorOf } from "./audit.server";
import {
  adminSetTier,
  catchUpTierEvaluation,
  decideTierReview,
  evaluateTiers,
  latestEvaluation,
  ladderProblems,
  listDecidedReviews,
  listPendingReviews,
  monthlyCreditedRevenue,
  partnerTierHistory,
  previewProgramChange,
  saveProgramSettings,
  SettingsError,
  TierReviewError,
  type LadderRow,
  type TierContext,
  type TierSnapshot,
} from "./tier-evaluation.server";
import { lastCompletedPeriod, periodEnd } from "./periods";

const DAY = 86_400_000;

let db: DB;
let outboxDir: string;
let mailer: Mailer;
let ctx: TierContext;
let ladder: Record<"Registered" | "Silver" | "Gold" | "Platinum", Tier>;
let manager: ReturnType<typeof createUser>;
let admin: ReturnType<typeof createUser>;

beforeEach(() => {
  db = createTestDatabase().db;
  const program = ensureDefaultProgram(db);
  ladder = Object.fromEntries(program.tiers.map((t) => [t.name, t])) as typeof ladder;
  outboxDir = fs.mkdtempSync(path.join(os.tmpdir(), "outbox-"));
  mailer = createMailer({ MAIL_FROM: "x <x@localhost>", OUTBOX_DIR: outboxDir });
  ctx = { db, mailer, config: { APP_URL: "http://portal.test" } };
  manager = createUser(db, { role: "partner_manager", name: "Morgan Manager" });
  admin = createUser(db, { role: "admin", name: "Ada Admin" });
});

afterEach(() => {
  closeDatabase(db);
  fs.rmSync(outboxDir, { recursive: true, force: true });
});

let seq = 0;
/** An active partner on `tier` with a partner admin (who gets tier emails) and a salesperson. */
function partnerOn(tier: Tier, name = `Tiered Partner ${++seq}`) {
  const slug = name.toLowerCase().replace(/\W+/g, "-");
  const partner = createPartner(db, { name, slug, tierId: tier.id, joinedOn: "2020-01-01" });
  const partnerAdmin = createUser(db, { role: "partner_admin", partnerId: partner.id, email: `admin@${slug}.test` });
  createUser(db, { role: "partner_user", partnerId: partner.id, email: `sales@${slug}.test` });
  return { partner, partnerAdmin };
}

/** A won deal the partner registered, closed at `closedAt`. */
function won(partnerId: number, closedAt: string, amountCents = 1_000_000) {
  const close = new Date(closedAt);
  return createDeal(
    db,
    {
      partnerId,
      stage: "won",
      amountCents,
      submittedAt: new Date(close.getTime() - 30 * DAY),
      decidedAt: new Date(close.getTime() - 28 * DAY),
      closedAt: close,
    },
    { now: close }
  );
}

const tierOf = (partnerId: number) =>
  db.select({ tierId: partners.tierId }).from(partners).where(eq(partners.id, partnerId)).get()!.tierId;
const evaluationsOf = (partnerId: number) =>
  db.select().from(tierEvaluations).where(eq(tierEvaluations.partnerId, partnerId)).all();
const reviewsOf = (partnerId: number) =>
  db.select().from(tierReviews).where(eq(tierReviews.partnerId, partnerId)).all();
const mailTo = (address: string) => listOutbox(outboxDir).filter((m) => m.to.includes(address));
const run = (period: string) =>
  evaluateTiers(ctx, { period, actor: "system", now: new Date(periodEnd(period).getTime() + 3_600_000) });

describe("evaluateTiers", () => {
  it("proposes an upgrade for a partner with enough won deals, without changing its tier", async () => {
    const { partner } = partnerOn(ladder.Registered);
    won(partner.id, "2024-02-10T12:00:00Z");
    won(partner.id, "2024-04-03T12:00:00Z");
    won(partner.id, "2024-05-31T23:00:00Z");
    won(partner.id, "2024-06-01T00:00:00Z"); // after the period: does not count
    const quiet = partnerOn(ladder.Registered);

    const counts = await run("2024-05");

    expect(counts).toMatchObject({
      evaluated: 2,
      upgrades: 1,
      downgrades: 0,
      warnings: 0,
      unchanged: 1,
      alreadyEvaluated: 0,
      reviewsCreated: 1,
    });
    const [evaluation] = evaluationsOf(partner.id);
    expect(evaluation).toMatchObject({
      period: "2024-05",
      outcome: "propose_upgrade",
      currentTierId: ladder.Registered.id,
      qualifyingTierId: ladder.Silver.id,
    });
    const snapshot = evaluation.metrics as TierSnapshot;
    expect(snapshot).toMatchObject({
      revenueCents: 3_000_000,
      wonDeals: 3,
      closedDeals: 3,
      winRateBp: 10_000,
      model: "sourced",
      window: { from: "2023-06-01T00:00:00.000Z", to: "2024-06-01T00:00:00.000Z" },
      currentTier: "Registered",
      qualifyingTier: "Silver",
    });
    expect(snapshot.thresholds.qualifying).toMatchObject({ tier: "Silver", rule: "any" });
    expect(snapshot.thresholds.qualifying.items.map((t) => [t.key, t.have, t.need, t.met])).toEqual([
      ["revenue", 3_000_000, 5_000_000, false],
      ["wonDeals", 3, 3, true],
    ]);
    expect(reviewsOf(partner.id)).toEqual([
      expect.objectContaining({
        period: "2024-05",
        direction: "upgrade",
        status: "pending",
        fromTierId: ladder.Registered.id,
        toTierId: ladder.Silver.id,
      }),
    ]);
    expect(evaluationsOf(quiet.partner.id)).toEqual([expect.objectContaining({ outcome: "hold" })]);
    expect(tierOf(partner.id)).toBe(ladder.Registered.id);
    expect(listOutbox(outboxDir)).toEqual([]);

    const runAudit = db.select().from(auditEvents).where(eq(auditEvents.action, "tier.evaluated")).all();
    expect(runAudit).toEqual([expect.objectContaining({ actorLabel: "system", entityId: "2024-05" })]);
  });

  it("creates no duplicate evaluation or review when the same period runs again, and keeps earlier results", async () => {
    const { partner } = partnerOn(ladder.Registered);
    for (const d of ["2024-03-01", "2024-03-02", "2024-03-03"]) won(partner.id, `${d}T10:00:00Z`);
    await run("2024-05");
    const before = { evaluations: evaluationsOf(partner.id), reviews: reviewsOf(partner.id) };

    // New facts after the first run do not rewrite its result.
    won(partner.id, "2024-05-20T10:00:00Z", 30_000_000);
    const late = partnerOn(ladder.Registered);
    const again = await run("2024-05");

    expect(again).toMatchObject({ evaluated: 1, alreadyEvaluated: 1, upgrades: 0, reviewsCreated: 0 });
    expect(evaluationsOf(partner.id)).toEqual(before.evaluations);
    expect(reviewsOf(partner.id)).toEqual(before.reviews);
    expect(evaluationsOf(late.partner.id)).toHaveLength(1);
    expect(db.select().from(auditEvents).where(eq(auditEvents.action, "tier.evaluated")).all()).toHaveLength(2);

    const third = await run("2024-05");
    expect(third).toMatchObject({ evaluated: 0, alreadyEvaluated: 2 });
    expect(db.select().from(auditEvents).where(eq(auditEvents.action, "tier.evaluated")).all()).toHaveLength(2);
  });

  it("warns a partner below its tier in the first period (email, once) and proposes the downgrade only in the next", async () => {
    const { partner, partnerAdmin } = partnerOn(ladder.Gold, "Slipping Gold");
    won(partner.id, "2024-01-15T10:00:00Z", 2_000_000);

    const first = await run("2024-05");
    expect(first).toMatchObject({ warnings: 1, downgrades: 0, reviewsCreated: 0, warningEmailsSent: 1 });
    expect(evaluationsOf(partner.id)).toEqual([
      expect.objectContaining({ outcome: "warn_downgrade", qualifyingTierId: ladder.Registered.id }),
    ]);
    expect(reviewsOf(partner.id)).toEqual([]);
    const warnings = mailTo(partnerAdmin.email);
    expect(warnings).toHaveLength(1);
    expect(warnings[0].subject).toContain("Gold tier is at risk");
    expect(warnings[0].text).toContain("May 2024");
    expect(warnings[0].text).toContain("$20,000 (Gold needs $250,000)");
    expect(warnings[0].text).toContain("evaluation for June 2024");
    expect(warnings[0].text).toContain("http://portal.test/tier");
    // Only partner admins get it, never the salesperson.
    expect(listOutbox(outboxDir).flatMap((m) => m.to)).toEqual([partnerAdmin.email]);

    // The same period again: no second warning.
    await run("2024-05");
    expect(mailTo(partnerAdmin.email)).toHaveLength(1);

    const second = await run("2024-06");
    expect(second).toMatchObject({ warnings: 0, downgrades: 1, reviewsCreated: 1, warningEmailsSent: 0 });
    expect(reviewsOf(partner.id)).toEqual([
      expect.objectContaining({
        period: "2024-06",
        direction: "downgrade",
        status: "pending",
        fromTierId: ladder.Gold.id,
        toTierId: ladder.Registered.id,
      }),
    ]);
    expect(mailTo(partnerAdmin.email)).toHaveLength(1);
    // Nothing changed the tier: only a decision does.
    expect(tierOf(partner.id)).toBe(ladder.Gold.id);

    // While that proposal waits, the next month adds no second review.
    const third = await run("2024-07");
    expect(third).toMatchObject({ downgrades: 1, reviewsCreated: 0 });
    expect(reviewsOf(partner.id)).toHaveLength(1);
    expect(listPendingReviews(db)).toEqual([
      expect.objectContaining({
        period: "2024-06",
        newerEvaluation: { period: "2024-07", outcome: "propose_downgrade", qualifyingTier: "Registered" },
      }),
    ]);
    expect(tierOf(partner.id)).toBe(ladder.Gold.id);
  });

  it("starts the grace period again after the tier changed", async () => {
    const { partner } = partnerOn(ladder.Gold);
    await run("2024-05"); // warn on Gold
    db.update(partners).set({ tierId: ladder.Silver.id }).where(eq(partners.id, partner.id)).run();
    await run("2024-06");
    expect(evaluationsOf(partner.id).find((e) => e.period === "2024-06")).toMatchObject({
      outcome: "warn_downgrade",
      currentTierId: ladder.Silver.id,
    });
  });

  it("re-sends a warning whose email failed when the period runs again", async () => {
    const { partner, partnerAdmin } = partnerOn(ladder.Silver);
    const failing: Mailer = { ...mailer, send: async () => Promise.reject(new Error("SMTP down")) };
    const counts = await evaluateTiers(
      { ...ctx, mailer: failing },
      { period: "2024-05", actor: "system", now: new Date("2024-06-02T00:00:00Z") }
    );
    expect(counts).toMatchObject({ warnings: 1, warningEmailsSent: 0, warningEmailsFailed: 1 });
    expect(evaluationsOf(partner.id)).toHaveLength(1);

    const retry = await run("2024-05");
    expect(retry).toMatchObject({ evaluated: 0, alreadyEvaluated: 1, warningEmailsSent: 1 });
    expect(mailTo(partnerAdmin.email)).toHaveLength(1);
  });

  it("refuses a period that has not ended", async () => {
    await expect(
      evaluateTiers(ctx, { period: "2024-05", actor: "system", now: new Date("2024-05-31T23:59:00Z") })
    ).rejects.toThrow(/has not ended/);
    await expect(evaluateTiers(ctx, { period: "2024-13", actor: "system" })).rejects.toBeInstanceOf(TierReviewError);
  });

  it("skips partners that are not active or joined after the period", async () => {
    const suspended = createPartner(db, { status: "suspended", tierId: ladder.Gold.id, joinedOn: "2020-01-01" });
    const newcomer = createPartner(db, { tierId: ladder.Gold.id, joinedOn: "2024-06-15" });
    const counts = await run("2024-05");
    expect(counts.evaluated).toBe(0);
    expect(evaluationsOf(suspended.id)).toEqual([]);
    expect(evaluationsOf(newcomer.id)).toEqual([]);
  });

  it("catches up a missed month-end run at start, and only once", async () => {
    const { partner } = partnerOn(ladder.Gold);
    const now = new Date("2024-06-05T08:00:00Z");
    expect(await catchUpTierEvaluation(ctx, now)).toMatchObject({ period: "2024-05", evaluated: 1, warnings: 1 });
    expect(await catchUpTierEvaluation(ctx, now)).toBeNull();
    expect(evaluationsOf(partner.id)).toHaveLength(1);
  });

  it("is the month-end job at 00:30 UTC on the 1st, evaluating the month just ended", () => {
    const job = jobs.find((j) => j.name === "tier-evaluation");
    expect(job?.schedule({} as never)).toEqual({ cron: "30 0 1 * *", timezone: "UTC" });
    expect(lastCompletedPeriod(new Date("2025-07-01T00:30:00Z"))).toBe("2025-06");
    expect(lastCompletedPeriod(new Date("2025-01-01T00:30:00Z"))).toBe("2024-12");
  });
});

async function pendingUpgrade() {
  const { partner, partnerAdmin } = partnerOn(ladder.Registered, `Rising ${++seq}`);
  for (const d of ["2024-03-01", "2024-04-01", "2024-05-01"]) won(partner.id, `${d}T10:00:00Z`, 2_000_000);
  await run("2024-05");
  const review = reviewsOf(partner.id)[0];
  return { partner, partnerAdmin, review };
}

describe("decideTierReview", () => {
  it("approve moves the partner to the proposed tier, records the audit event and emails the partner's admins", async () => {
    const { partner, partnerAdmin, review } = await pendingUpgrade();
    const result = await decideTierReview(ctx, actorOf(manager), review.id, { decision: "approve" });

    expect(result).toMatchObject({ status: "approved", fromTier: "Registered", resultTier: "Silver", emailed: true });
    expect(tierOf(partner.id)).toBe(ladder.Silver.id);
    const row = reviewsOf(partner.id)[0];
    expect(row).toMatchObject({ status: "approved", reviewerId: manager.id, note: null });
    expect(row.decidedAt).toBeInstanceOf(Date);
    const audit = db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.entityType, "tier_review"), eq(auditEvents.entityId, String(review.id))))
      .all();
    expect(audit).toEqual([
      expect.objectContaining({
        action: "tier_review.approved",
        actorId: manager.id,
        partnerId: partner.id,
        before: expect.objectContaining({ tier: "Registered", status: "pending" }),
        after: expect.objectContaining({ tier: "Silver", status: "approved" }),
      }),
    ]);
    const mails = mailTo(partnerAdmin.email);
    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toContain("Your tier is now Silver");
    expect(mails[0].text).toContain("Won deals (12 months): 3");
    expect(mails[0].text).toContain("$60,000");
    expect(mails[0].text).toContain("What Gold needs");
  });

  it("reject keeps the tier, needs a note, and tells the partner why", async () => {
    const { partner, partnerAdmin, review } = await pendingUpgrade();
    await expect(
      decideTierReview(ctx, actorOf(manager), review.id, { decision: "reject", note: "  " })
    ).rejects.toMatchObject({ status: 400 });
    expect(reviewsOf(partner.id)[0].status).toBe("pending");

    const result = await decideTierReview(ctx, actorOf(manager), review.id, {
      decision: "reject",
      note: "Two of the wins are one customer split in three.",
    });
    expect(result).toMatchObject({ status: "rejected", resultTier: "Registered" });
    expect(tierOf(partner.id)).toBe(ladder.Registered.id);
    expect(reviewsOf(partner.id)[0]).toMatchObject({
      status: "rejected",
      note: "Two of the wins are one customer split in three.",
    });
    const [mail] = mailTo(partnerAdmin.email);
    expect(mail.subject).toContain("Your tier stays Registered");
    expect(mail.text).toContain("Their reason: Two of the wins are one customer split in three.");
    expect(db.select().from(auditEvents).where(eq(auditEvents.action, "tier_review.rejected")).all()).toHaveLength(1);
  });

  it("override needs a note and a tier, and sets the tier the reviewer picked", async () => {
    const { partner, review } = await pendingUpgrade();
    await expect(
      decideTierReview(ctx, actorOf(admin), review.id, {
        decision: "override",
        note: "",
        overrideTierId: ladder.Gold.id,
      })
    ).rejects.toThrow(/Write a note/);
    await expect(
      decideTierReview(ctx, actorOf(admin), review.id, { decision: "override", note: "Strategic account." })
    ).rejects.toThrow(/Choose a tier/);
    await expect(
      decideTierReview(ctx, actorOf(admin), review.id, {
        decision: "override",
        note: "Keep.",
        overrideTierId: ladder.Registered.id,
      })
    ).rejects.toThrow(/already the partner's tier/);
    expect(tierOf(partner.id)).toBe(ladder.Registered.id);

    const result = await decideTierReview(ctx, actorOf(admin), review.id, {
      decision: "override",
      note: "Signed a 3-year strategic agreement.",
      overrideTierId: ladder.Gold.id,
    });
    expect(result).toMatchObject({ status: "overridden", resultTier: "Gold" });
    expect(tierOf(partner.id)).toBe(ladder.Gold.id);
    expect(reviewsOf(partner.id)[0]).toMatchObject({
      status: "overridden",
      toTierId: ladder.Gold.id,
      direction: "upgrade",
    });
    expect(partnerTierHistory(db, partner.id)).toEqual([
      expect.objectContaining({
        status: "overridden",
        fromTier: "Registered",
        toTier: "Gold",
        resultTier: "Gold",
        note: "Signed a 3-year strategic agreement.",
      }),
    ]);
  });

  it("refuses to decide a review twice", async () => {
    const { partner, review } = await pendingUpgrade();
    await decideTierReview(ctx, actorOf(manager), review.id, { decision: "approve" });
    const again = decideTierReview(ctx, actorOf(admin), review.id, { decision: "reject", note: "Changed my mind." });
    await expect(again).rejects.toThrow(
      /already approved on \d{4}-\d{2}-\d{2} by Morgan Manager: a decided review cannot be decided again/
    );
    expect(tierOf(partner.id)).toBe(ladder.Silver.id);
    expect(db.select().from(auditEvents).where(eq(auditEvents.entityType, "tier_review")).all()).toHaveLength(1);
  });

  it("answers 404 for a review that does not exist", async () => {
    await expect(decideTierReview(ctx, actorOf(manager), 999_999, { decision: "approve" })).rejects.toMatchObject({
      status: 404,
    });
  });

  it("refuses to approve a proposal whose starting tier is no longer the partner's", async () => {
    const { partner, review } = await pendingUpgrade();
    db.update(partners).set({ tierId: ladder.Gold.id }).where(eq(partners.id, partner.id)).run();
    await expect(decideTierReview(ctx, actorOf(manager), review.id, { decision: "approve" })).rejects.toThrow(
      /tier changed since this was proposed/
    );
    expect(tierOf(partner.id)).toBe(ladder.Gold.id);
    expect(listPendingReviews(db)).toEqual([expect.objectContaining({ id: review.id, stale: true })]);
  });
});

describe("adminSetTier", () => {
  it("sets a tier with a note once per month, as an overridden review", async () => {
    const { partner, partnerAdmin } = partnerOn(ladder.Registered);
    const now = new Date("2024-06-10T12:00:00Z");
    await expect(adminSetTier(ctx, actorOf(admin), partner.id, ladder.Gold.id, " ", now)).rejects.toThrow(
      /Write a note/
    );
    const result = await adminSetTier(ctx, actorOf(admin), partner.id, ladder.Gold.id, "Acquired a Gold partner.", now);
    expect(result).toMatchObject({ status: "overridden", fromTier: "Registered", resultTier: "Gold", emailed: true });
    expect(tierOf(partner.id)).toBe(ladder.Gold.id);
    expect(reviewsOf(partner.id)).toEqual([
      expect.objectContaining({ period: "2024-06", status: "overridden", reviewerId: admin.id }),
    ]);
    expect(mailTo(partnerAdmin.email)).toHaveLength(1);
    await expect(adminSetTier(ctx, actorOf(admin), partner.id, ladder.Silver.id, "Oops.", now)).rejects.toThrow(
      /already decided for June 2024/
    );
    expect(tierOf(partner.id)).toBe(ladder.Gold.id);
  });
});

describe("reading", () => {
  it("lists pending reviews with names and metrics, decided ones, the latest evaluation and the monthly trend", async () => {
    const { partner, review } = await pendingUpgrade();
    const pending = listPendingReviews(db);
    expect(pending).toEqual([
      expect.objectContaining({
        id: review.id,
        partnerName: partner.name,
        partnerSlug: partner.slug,
        fromTier: expect.objectContaining({ name: "Registered" }),
        toTier: expect.objectContaining({ name: "Silver" }),
        metrics: expect.objectContaining({ wonDeals: 3, revenueCents: 6_000_000 }),
        stale: false,
        newerEvaluation: null,
      }),
    ]);
    expect(latestEvaluation(db, partner.id)).toMatchObject({ period: "2024-05", outcome: "propose_upgrade" });
    expect(latestEvaluation(db, 987_654)).toBeNull();

    const trend = monthlyCreditedRevenue(
      db,
      partner.id,
      { from: new Date(pending[0].metrics.window.from), to: new Date(pending[0].metrics.window.to) },
      "sourced"
    );
    expect(trend.map((m) => m.period)).toEqual([
      "2023-06",
      "2023-07",
      "2023-08",
      "2023-09",
      "2023-10",
      "2023-11",
      "2023-12",
      "2024-01",
      "2024-02",
      "2024-03",
      "2024-04",
      "2024-05",
    ]);
    expect(trend.filter((m) => m.cents > 0)).toEqual([
      { period: "2024-03", cents: 2_000_000 },
      { period: "2024-04", cents: 2_000_000 },
      { period: "2024-05", cents: 2_000_000 },
    ]);

    await decideTierReview(ctx, actorOf(manager), review.id, { decision: "approve", note: "Well done." });
    expect(listPendingReviews(db)).toEqual([]);
    expect(listDecidedReviews(db)).toEqual([
      expect.objectContaining({ status: "approved", reviewerName: "Morgan Manager", resultTier: "Silver" }),
    ]);
    expect(partnerTierHistory(db, partner.id)).toEqual([
      expect.objectContaining({
        status: "approved",
        fromTier: "Registered",
        toTier: "Silver",
        note: "Well done.",
        metrics: expect.objectContaining({ wonDeals: 3 }),
      }),
    ]);
    const other = partnerOn(ladder.Registered);
    expect(partnerTierHistory(db, other.partner.id)).toEqual([]);
  });
});

describe("program settings and the ladder", () => {
  const rowsOf = (list: Tier[]): LadderRow[] =>
    list.map((t) => ({
      id: t.id,
      name: t.name,
      rank: t.rank,
      minRevenueCents: t.minRevenueCents,
      minWonDeals: t.minWonDeals,
      minWinRateBp: t.minWinRateBp,
      thresholdRule: t.thresholdRule,
      benefits: t.benefits,
    }));
  const current = () => rowsOf(Object.values(ladder).sort((a, b) => a.rank - b.rank));

  it("refuses to remove a tier a partner is on, or one that evaluations refer to, and reports rule problems by row", async () => {
    partnerOn(ladder.Gold);
    const rows = current().map((r) => (r.name === "Gold" ? { ...r, remove: true } : r));
    expect(ladderProblems(db, rows)).toEqual([
      { index: 2, message: "Gold cannot be removed: 1 partner is on it. Move them first." },
    ]);

    await run("2024-05");
    const referenced = current().map((r) => (r.name === "Registered" ? { ...r, remove: true } : r));
    expect(ladderProblems(db, referenced)).toEqual([
      expect.objectContaining({ index: 0, message: expect.stringMatching(/Registered cannot be removed/) }),
    ]);

    const broken = current().map((r) => (r.name === "Platinum" ? { ...r, minWonDeals: 5 } : r));
    expect(ladderProblems(db, broken)).toEqual([
      { index: 3, message: "Platinum needs fewer won deals than Gold, which ranks below it." },
    ]);
    expect(() =>
      saveProgramSettings(db, actorOf(admin), {
        programName: "P",
        attributionModel: "sourced",
        protectionDays: 90,
        ladder: broken,
      })
    ).toThrow(SettingsError);
  });

  it("saves settings and ladder in one go (swapped names, an added and a removed tier) with one audit event", () => {
    const rows = current();
    rows[1] = { ...rows[1], name: "Bronze" };
    rows.push({
      name: "Diamond",
      rank: 4,
      minRevenueCents: 500_000_000,
      minWonDeals: 50,
      minWinRateBp: 3_500,
      thresholdRule: "all",
      benefits: "Everything.",
    });
    rows[3] = { ...rows[3], remove: true };
    saveProgramSettings(db, actorOf(admin), {
      programName: "Acme Partners",
      attributionModel: "linear",
      protectionDays: 120,
      ladder: rows,
    });

    expect(db.select().from(programSettings).get()).toMatchObject({
      programName: "Acme Partners",
      attributionModel: "linear",
      protectionDays: 120,
    });
    const saved = db
      .select()
      .from(tiers)
      .all()
      .sort((a, b) => a.rank - b.rank);
    expect(saved.map((t) => [t.name, t.rank, t.minWinRateBp])).toEqual([
      ["Registered", 0, null],
      ["Bronze", 1, null],
      ["Gold", 2, null],
      ["Diamond", 4, 3_500],
    ]);
    const audit = db.select().from(auditEvents).where(eq(auditEvents.action, "settings.updated")).all();
    expect(audit).toHaveLength(1);
    expect(audit[0].before).toMatchObject({ attributionModel: "sourced", protectionDays: 90 });
    expect(audit[0].after).toMatchObject({ attributionModel: "linear", programName: "Acme Partners" });
  });

  it("swaps the ranks of two tiers despite the unique index", () => {
    const rows = current();
    rows[2] = { ...rows[2], name: "Platinum", rank: 2 };
    rows[3] = { ...rows[3], name: "Gold", rank: 3 };
    saveProgramSettings(db, actorOf(admin), {
      programName: "P",
      attributionModel: "sourced",
      protectionDays: 90,
      ladder: rows,
    });
    expect(db.select().from(tiers).where(eq(tiers.id, ladder.Gold.id)).get()).toMatchObject({
      name: "Platinum",
      rank: 2,
    });
  });

  it("previews how many partners would move under a new ladder and model, writing nothing", () => {
    const now = new Date();
    const recent = new Date(now.getTime() - 20 * DAY).toISOString();
    const a = partnerOn(ladder.Registered);
    for (let i = 0; i < 3; i++) won(a.partner.id, recent, 500_000);
    partnerOn(ladder.Silver); // nothing won: would be lower
    partnerOn(ladder.Registered); // stays

    const unchanged = previewProgramChange(db, { attributionModel: "sourced", ladder: current() }, now);
    expect(unchanged).toMatchObject({ activePartners: 3, higher: 1, same: 1, lower: 1 });

    const stricter = current().map((r) => (r.name === "Silver" ? { ...r, minWonDeals: 5 } : r));
    expect(previewProgramChange(db, { attributionModel: "linear", ladder: stricter }, now)).toMatchObject({
      higher: 0,
      same: 2,
      lower: 1,
    });
    expect(db.select().from(auditEvents).all()).toEqual([]);
    expect(db.select().from(tiers).where(eq(tiers.id, ladder.Silver.id)).get()?.minWonDeals).toBe(3);
  });
});
