// A tier program for the tier domain tests: a fresh migrated database with the default ladder, a
// mailer writing to a temporary outbox, a partner manager and a program admin, plus the helpers
// the tests build their partners and read their results with. One program at a time per test
// file (start it in beforeEach, stop it in afterEach): the helpers work on the current one.
import { eq } from "drizzle-orm";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { closeDatabase } from "../../app/db.server";
import type { TierContext } from "../../app/domain/tier-reviews.server";
import { evaluateTiers } from "../../app/domain/tier-evaluation.server";
import { periodEnd } from "../../app/domain/periods";
import { createMailer, listOutbox } from "../../app/mailer.server";
import { createDeal, createPartner, createUser, ensureDefaultProgram } from "../../db/factories";
import { partners, tierEvaluations, tierReviews, type Tier } from "../../db/schema";
import { createTestDatabase } from "./db";

const DAY = 86_400_000;

export type TierLadder = Record<"Registered" | "Silver" | "Gold" | "Platinum", Tier>;

function createTierProgram() {
  const { db } = createTestDatabase();
  const program = ensureDefaultProgram(db);
  const ladder = Object.fromEntries(program.tiers.map((t) => [t.name, t])) as TierLadder;
  const outboxDir = fs.mkdtempSync(path.join(os.tmpdir(), "outbox-"));
  const mailer = createMailer({ MAIL_FROM: "x <x@localhost>", OUTBOX_DIR: outboxDir });
  const ctx: TierContext = { db, mailer, config: { APP_URL: "http://portal.test" } };
  const manager = createUser(db, { role: "partner_manager", name: "Morgan Manager" });
  const admin = createUser(db, { role: "admin", name: "Ada Admin" });
  return { db, ladder, outboxDir, mailer, ctx, manager, admin };
}

export type TierProgram = ReturnType<typeof createTierProgram>;

let program: TierProgram | null = null;

function current(): TierProgram {
  if (!program) throw new Error("No tier program: call startTierProgram() in beforeEach.");
  return program;
}

export function startTierProgram(): TierProgram {
  program = createTierProgram();
  return program;
}

export function stopTierProgram() {
  if (!program) return;
  closeDatabase(program.db);
  fs.rmSync(program.outboxDir, { recursive: true, force: true });
  program = null;
}

let seq = 0;
/** An active partner on `tier` with a partner admin (who gets tier emails) and a salesperson. */
export function partnerOn(tier: Tier, name = `Tiered Partner ${++seq}`) {
  const { db } = current();
  const slug = name.toLowerCase().replace(/\W+/g, "-");
  const partner = createPartner(db, { name, slug, tierId: tier.id, joinedOn: "2020-01-01" });
  const partnerAdmin = createUser(db, { role: "partner_admin", partnerId: partner.id, email: `admin@${slug}.test` });
  createUser(db, { role: "partner_user", partnerId: partner.id, email: `sales@${slug}.test` });
  return { partner, partnerAdmin };
}

/** A won deal the partner registered, closed at `closedAt`. */
export function won(partnerId: number, closedAt: string, amountCents = 1_000_000) {
  const close = new Date(closedAt);
  return createDeal(
    current().db,
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

export const tierOf = (partnerId: number) =>
  current().db.select({ tierId: partners.tierId }).from(partners).where(eq(partners.id, partnerId)).get()!.tierId;
export const evaluationsOf = (partnerId: number) =>
  current().db.select().from(tierEvaluations).where(eq(tierEvaluations.partnerId, partnerId)).all();
export const reviewsOf = (partnerId: number) =>
  current().db.select().from(tierReviews).where(eq(tierReviews.partnerId, partnerId)).all();
export const mailTo = (address: string) => listOutbox(current().outboxDir).filter((m) => m.to.includes(address));

/** The evaluation of `period`, run an hour after it ended. */
export const run = (period: string) =>
  evaluateTiers(current().ctx, { period, actor: "system", now: new Date(periodEnd(period).getTime() + 3_600_000) });

/** A Registered partner with three won deals in March–May 2024, and the upgrade May's run proposed. */
export async function pendingUpgrade() {
  const { ladder } = current();
  const { partner, partnerAdmin } = partnerOn(ladder.Registered, `Rising ${++seq}`);
  for (const d of ["2024-03-01", "2024-04-01", "2024-05-01"]) won(partner.id, `${d}T10:00:00Z`, 2_000_000);
  await run("2024-05");
  const review = reviewsOf(partner.id)[0];
  return { partner, partnerAdmin, review };
}
