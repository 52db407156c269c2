import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPartner } from "../../db/factories";
import { auditEvents, outboxMessages, partners } from "../../db/schema";
import {
  evaluationsOf,
  mailTo,
  partnerOn,
  reviewsOf,
  run,
  startTierProgram,
  stopTierProgram,
  tierOf,
  won,
  type TierLadder,
} from "../../tests/support/tier-program";
import type { DB } from "../db.server";
import { jobs } from "../jobs/scheduler.server";
import { listOutbox, type Mailer } from "../mailer.server";
import { lastCompletedPeriod } from "./periods";
import { catchUpTierEvaluation, evaluateTiers } from "./tier-evaluation.server";
import { listPendingReviews } from "./tier-history.server";
import { TierReviewError, type TierContext } from "./tier-reviews.server";
import type { TierSnapshot } from "./tier-snapshot";

let db: DB, ctx: TierContext, ladder: TierLadder, mailer: Mailer, outboxDir: string;

beforeEach(() => {
  ({ db, ctx, ladder, mailer, outboxDir } = startTierProgram());
});
afterEach(stopTierProgram);

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

  it("only previews a month older than the latest evaluated one: no evaluation, proposal or email", async () => {
    const { partner, partnerAdmin } = partnerOn(ladder.Gold, "Late Gold");
    const rising = partnerOn(ladder.Registered, "Late Riser");
    for (const d of ["2024-03-01", "2024-04-01", "2024-05-01"]) won(rising.partner.id, `${d}T10:00:00Z`, 2_000_000);
    const june = await run("2024-06");
    expect(june).toMatchObject({ preview: false, warnings: 1, upgrades: 1 });
    const may = await run("2024-05");
    expect(may).toMatchObject({ preview: true, latestPeriod: "2024-06", warnings: 1, upgrades: 1, warningEmailsSent: 0 });
    expect(evaluationsOf(partner.id).map((e) => e.period)).toEqual(["2024-06"]);
    expect(reviewsOf(rising.partner.id).map((r) => r.period)).toEqual(["2024-06"]);
    expect(mailTo(partnerAdmin.email)).toHaveLength(1);
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

  it("queues the warning with the evaluation: a failed send stays in the outbox, a re-run queues nothing more", async () => {
    const { partner, partnerAdmin } = partnerOn(ladder.Silver);
    const failing: Mailer = { ...mailer, send: async () => Promise.reject(new Error("SMTP down")) };
    const counts = await evaluateTiers(
      { ...ctx, mailer: failing },
      { period: "2024-05", actor: "system", now: new Date("2024-06-02T00:00:00Z") }
    );
    expect(counts).toMatchObject({ warnings: 1, warningEmailsSent: 1, warningEmailsFailed: 0 });
    expect(evaluationsOf(partner.id)).toHaveLength(1);
    const queued = () => db.select().from(outboxMessages).where(eq(outboxMessages.kind, "tier-warning")).all();
    expect(queued()).toMatchObject([{ identity: `${partner.id}.2024-05`, status: "queued", attempts: 1 }]);
    expect(queued()[0].error).toMatch(/SMTP down/);
    expect(mailTo(partnerAdmin.email)).toHaveLength(0);

    const retry = await run("2024-05");
    expect(retry).toMatchObject({ evaluated: 0, alreadyEvaluated: 1, warningEmailsSent: 0 });
    expect(queued()).toHaveLength(1);
  });

  it("sends a warning once when two runs of the period overlap, and records its claim before sending", async () => {
    const { partner, partnerAdmin } = partnerOn(ladder.Silver);
    // What the database says at the moment each email is handed to the mailer.
    const claimedWhenSent: (Date | null)[] = [];
    const watching: Mailer = {
      ...mailer,
      send: async (message) => {
        claimedWhenSent.push(evaluationsOf(partner.id)[0]?.warningClaimedAt ?? null);
        return mailer.send(message);
      },
    };
    const now = new Date("2024-06-02T00:00:00Z");
    // The scheduler and a staff member's "Run evaluation" at once: both commit (the second
    // finds the evaluation already there) and both look for warnings to email.
    const [a, b] = await Promise.all([
      evaluateTiers({ ...ctx, mailer: watching }, { period: "2024-05", actor: "system", now }),
      evaluateTiers({ ...ctx, mailer: watching }, { period: "2024-05", actor: "system", now }),
    ]);
    expect(a.warningEmailsSent + b.warningEmailsSent).toBe(1);
    expect(mailTo(partnerAdmin.email)).toHaveLength(1);
    expect(claimedWhenSent).toHaveLength(1);
    expect(claimedWhenSent[0]).toBeInstanceOf(Date);
    expect(evaluationsOf(partner.id)).toHaveLength(1);
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
