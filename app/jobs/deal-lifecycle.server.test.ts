import { and, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDeal, createPartner, createUser, ensureDefaultProgram } from "../../db/factories";
import { auditEvents, deals, outboxMessages } from "../../db/schema";
import { createTestDatabase } from "../../tests/support/db";
import { createTestMailer } from "../../tests/support/mail";
import { closeDatabase, type DB } from "../db.server";
import { listOutbox, type Mailer } from "../mailer.server";
import { runOutbox } from "../mail/outbox.server";
import { runDealLifecycle } from "./deal-lifecycle.server";
import { jobs } from "./scheduler.server";

const DAY = 86_400_000;
const config = { APP_URL: "http://portal.test" };

let db: DB;
let outboxDir: string;
let mailer: Mailer;

beforeEach(() => {
  db = createTestDatabase().db;
  ensureDefaultProgram(db);
  ({ mailer, outboxDir } = createTestMailer());
});

afterEach(() => {
  closeDatabase(db);
});

/** A partner with an admin and a salesperson, and an approved deal the salesperson registered. */
function approvedDeal(now: Date, protectionEndsInDays: number, name: string) {
  const partner = createPartner(db, { name, slug: name.toLowerCase().replace(/\W+/g, "-") });
  const admin = createUser(db, { role: "partner_admin", partnerId: partner.id, email: `admin@${partner.slug}.test` });
  const sales = createUser(db, { role: "partner_user", partnerId: partner.id, email: `sales@${partner.slug}.test` });
  const decidedAt = new Date(now.getTime() - 60 * DAY);
  const deal = createDeal(
    db,
    {
      partnerId: partner.id,
      submittedBy: sales.id,
      stage: "approved",
      submittedAt: new Date(decidedAt.getTime() - DAY),
      decidedAt,
      protectionEndsAt: new Date(now.getTime() + protectionEndsInDays * DAY),
    },
    { now },
  );
  return { deal, admin, sales };
}

const dealRow = (id: number) => db.select().from(deals).where(eq(deals.id, id)).get()!;

describe("runDealLifecycle", () => {
  it("is the daily deal-lifecycle job", () => {
    const job = jobs.find((j) => j.name === "deal-lifecycle");
    expect(job?.schedule({} as never)).toEqual({ cron: "5 2 * * *", timezone: "UTC" });
  });

  it("expires past-protection deals once, warns 14 days ahead once, and a second run does nothing", async () => {
    const now = new Date();
    const past = approvedDeal(now, -1, "Past Partners");
    const soon = approvedDeal(now, 10, "Soon Partners");
    const edge = approvedDeal(now, 14, "Edge Partners");
    const later = approvedDeal(now, 30, "Later Partners");

    const first = await runDealLifecycle({ db, mailer, config }, now);
    expect(first.expired).toEqual([past.deal.id]);
    expect(first.warned.sort()).toEqual([soon.deal.id, edge.deal.id].sort());

    expect(dealRow(past.deal.id)).toMatchObject({ stage: "expired", holdsClaim: false });
    expect(dealRow(past.deal.id).closedAt?.getTime()).toBe(now.getTime());
    expect(dealRow(soon.deal.id)).toMatchObject({ stage: "approved", expiryWarnedAt: now });
    expect(dealRow(later.deal.id)).toMatchObject({ stage: "approved", expiryWarnedAt: null });

    const mail = listOutbox(outboxDir);
    expect(mail).toHaveLength(2);
    const soonMail = mail.find((m) => m.to.includes(soon.admin.email))!;
    expect(soonMail.to.sort()).toEqual([soon.admin.email, soon.sales.email].sort());
    expect(soonMail.subject).toContain("Protection ends");
    expect(soonMail.text).toContain("10 days from now");
    expect(soonMail.text).toContain(`http://portal.test/deals/${soon.deal.id}`);
    expect(soonMail.html).toContain(`href="http://portal.test/deals/${soon.deal.id}"`);
    // Each partner hears only about its own deal.
    expect(soonMail.text).not.toContain("Edge Partners");
    expect(mail.some((m) => m.to.includes(past.admin.email))).toBe(false);

    const expiredAudit = db
      .select({ actorLabel: auditEvents.actorLabel })
      .from(auditEvents)
      .where(and(eq(auditEvents.entityId, String(past.deal.id)), eq(auditEvents.action, "deal.expired")))
      .all();
    expect(expiredAudit).toEqual([{ actorLabel: "system" }]);

    const second = await runDealLifecycle({ db, mailer, config }, new Date(now.getTime() + 60_000));
    expect(second).toEqual({ expired: [], warned: [] });
    expect(listOutbox(outboxDir)).toHaveLength(2);
    expect(
      db.select().from(auditEvents).where(eq(auditEvents.action, "deal.expired")).all(),
    ).toHaveLength(1);
  });

  it("keeps the warning when SMTP fails: it waits in the outbox and is sent by a later drain, never warned twice", async () => {
    const now = new Date();
    const soon = approvedDeal(now, 5, "Flaky Partners");
    const failing: Mailer = {
      ...mailer,
      send: async () => {
        throw new Error("SMTP is down");
      },
    };
    const first = await runDealLifecycle({ db, mailer: failing, config }, now);
    expect(first).toEqual({ expired: [], warned: [soon.deal.id] });
    // The mark and the email committed together; the email is retrying, not lost.
    expect(dealRow(soon.deal.id)).toMatchObject({ stage: "approved", expiryWarnedAt: now });
    const [row] = db.select().from(outboxMessages).where(eq(outboxMessages.kind, "deal-expiring")).all();
    expect(row).toMatchObject({ status: "queued", attempts: 1 });
    expect(row!.error).toContain("SMTP is down");
    expect(listOutbox(outboxDir)).toHaveLength(0);

    // The next run warns nobody again; the outbox's next drain (its backoff elapsed) delivers it.
    const retry = await runDealLifecycle({ db, mailer, config }, new Date(now.getTime() + DAY));
    expect(retry.warned).toEqual([]);
    await runOutbox({ db, transport: mailer, config: { MAIL_FROM: mailer.from }, clock: () => Date.now() + DAY });
    expect(listOutbox(outboxDir)).toHaveLength(1);
    expect(listOutbox(outboxDir)[0]!.to.sort()).toEqual([soon.admin.email, soon.sales.email].sort());
  });
});
