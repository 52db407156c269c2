// Issue 14 item 1: each email is an outbox row written in the transaction of the change that
// causes it, under an identity from that change. So the row is there once the change commits,
// even if no drain ever runs (no SMTP in the request), a failed change leaves no email, and
// doing the change again queues nothing more.
import { and, eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { createCustomer, createDeal } from "../../db/factories";
import { deals, outboxMessages, partners, passwordResets, tiers } from "../../db/schema";
import { createTestDatabase, TEST_PASSWORD } from "../../tests/support/db";
import { createWorld, type World } from "../../tests/support/world";
import { requestPasswordReset, resetPassword } from "../auth/password-reset.server";
import { writeTransaction, type DB } from "../db.server";
import { actorOf } from "../domain/audit.server";
import { bulkApproveAndNotify, registerDealAndNotify, registrationApprovedMessage } from "../domain/deal-notifications.server";
import { approveRegistration } from "../domain/deals.server";
import { changePassword } from "../domain/users.server";
import { saveProgramSettings } from "../domain/program-settings.server";
import { asc } from "drizzle-orm";
import { runDealLifecycle } from "../jobs/deal-lifecycle.server";
import { approveApplication, declineApplication, submitApplication } from "../domain/applications.server";
import { inviteAndSend } from "../domain/invitations.server";
import { mdfDecidedMessage } from "../domain/mdf-notifications.server";
import { decideMdf, requestMdf } from "../domain/mdf.server";
import type { Mailer } from "../mailer.server";
import { queueMessage, type QueueMailer } from "./outbox.server";

const config = { APP_URL: "https://portal.test" };

let db: DB;
let world: World;
let smtpCalls: number;
let kicks: number;
// The app's queue mailer shape whose drain never runs (as if the process died right after the
// commit): any SMTP hand-over from the request would show up in smtpCalls.
let mailer: QueueMailer;

beforeEach(async () => {
  db = createTestDatabase().db;
  world = await createWorld(db);
  smtpCalls = 0;
  kicks = 0;
  const transport: Mailer = {
    kind: "smtp",
    from: "Partner Program <partners@localhost>",
    async send() {
      smtpCalls++;
      throw new Error("the request must not talk to SMTP");
    },
    close() {},
  };
  mailer = { ...transport, transport, kick: () => void kicks++ };
});

const rows = (kind: string) => db.select().from(outboxMessages).where(eq(outboxMessages.kind, kind)).all();

describe("emails queued in the change's transaction", () => {
  it("invitation: the row commits with the invitation, the request never sends, a replayed form queues once", async () => {
    const input = { email: "nina@alpha.test", name: "Nina", role: "partner_user" as const, partnerId: world.partnerA.id, actor: actorOf(world.adminA), inviterName: "Alice" };
    const key = { actor: `user:${world.adminA.id}`, form: "invite", token: "form-1" };
    expect(await inviteAndSend({ db, mailer, config }, input, key)).toMatchObject({ ok: true });
    expect(await inviteAndSend({ db, mailer, config }, input, key)).toMatchObject({ ok: true });
    const queued = rows("invitation");
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ status: "queued", recipients: JSON.stringify(["nina@alpha.test"]) });
    expect(queued[0].identity).toMatch(/^invitation-\d+$/);
    expect(smtpCalls).toBe(0);
    expect(kicks).toBe(1);
  });

  it("password reset: one row per token, named after it, committed with the token", async () => {
    await requestPasswordReset({ db, mailer, config }, "sales@alpha.test");
    await requestPasswordReset({ db, mailer, config }, "sales@alpha.test");
    const tokens = db.select().from(passwordResets).all();
    const queued = rows("password-reset");
    expect(queued.map((r) => r.identity).sort()).toEqual(tokens.map((t) => String(t.id)).sort());
    expect(queued).toHaveLength(2);
    expect(queued[0].text).toContain("https://portal.test/reset-password/");
    expect(smtpCalls).toBe(0);
  });

  it("deal approval: approved and queued together; a failed approval leaves neither; approving again queues nothing", () => {
    const sales = world.userA;
    const customer = createCustomer(db, { name: "Initech", domain: "initech.com" });
    const deal = createDeal(db, { partnerId: world.partnerA.id, customerId: customer.id, submittedBy: sales.id, stage: "submitted" });
    const reviewer = actorOf(world.manager);
    const approveAndQueue = () =>
      writeTransaction(db, (tx) => {
        approveRegistration(db, reviewer, deal.id);
        return queueMessage(tx, registrationApprovedMessage({ db, config }, deal.id));
      });
    // The change fails after its email was built: nothing of either is kept.
    expect(() =>
      writeTransaction(db, (tx) => {
        approveRegistration(db, reviewer, deal.id);
        queueMessage(tx, registrationApprovedMessage({ db, config }, deal.id));
        throw new Error("crash before commit");
      }),
    ).toThrow("crash before commit");
    expect(rows("deal-approved")).toHaveLength(0);
    expect(approveAndQueue()).toBe(true);
    expect(() => approveAndQueue()).toThrow(/already approved/);
    // The same message queued again (a re-run of the notification) is still one row.
    writeTransaction(db, (tx) => queueMessage(tx, registrationApprovedMessage({ db, config }, deal.id)));
    const queued = rows("deal-approved");
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ identity: `deal-${deal.id}`, partnerId: world.partnerA.id, status: "queued" });
    expect(JSON.parse(queued[0].recipients)).toEqual(expect.arrayContaining(["sales@alpha.test", "admin@alpha.test"]));
  });

  it("MDF decision: identity carries the request and its state, queued once", () => {
    const admin = actorOf(world.adminA);
    const silver = db.select().from(tiers).where(eq(tiers.name, "Silver")).get()!;
    db.update(partners).set({ tierId: silver.id }).where(eq(partners.id, world.partnerA.id)).run();
    const id = requestMdf(db, admin, world.partnerA.id, { activityType: "market", title: "Webinar", plannedOn: "2099-05-20", amount: "100", expectedOutcome: "40 leads" });
    const decide = () =>
      writeTransaction(db, (tx) => {
        decideMdf(db, actorOf(world.manager), id, { approve: true });
        return queueMessage(tx, mdfDecidedMessage({ db, config }, id));
      });
    expect(decide()).toBe(true);
    writeTransaction(db, (tx) => queueMessage(tx, mdfDecidedMessage({ db, config }, id)));
    const queued = db.select().from(outboxMessages).where(and(eq(outboxMessages.kind, "mdf-request-decided"))).all();
    expect(queued.map((r) => r.identity)).toEqual([`${id}.approved`]);
    expect(JSON.parse(queued[0].recipients)).toEqual(["admin@alpha.test"]);
  });

  it("application: the approval's invitation and a decline's email commit with the decision, once", async () => {
    const ctx = { db, mailer, config };
    const apply = (domain: string) => {
      const submitted = submitApplication(db, {
        companyName: `Co ${domain}`,
        website: domain,
        kind: "agency",
        region: "EMEA",
        contactName: "Ann",
        contactEmail: `ann@${domain}`,
        message: "We implement CRMs.",
      });
      if (submitted.replayed) throw new Error("not a replay");
      return submitted.application.id;
    };
    const approved = apply("acme.example");
    const declined = apply("other.example");
    await approveApplication(ctx, world.manager, approved);
    await expect(approveApplication(ctx, world.manager, approved)).rejects.toThrow();
    await declineApplication(ctx, world.manager, declined, "Not a fit this year.");
    await expect(declineApplication(ctx, world.manager, declined, "Again")).rejects.toThrow();
    expect(rows("invitation").map((r) => JSON.parse(r.recipients))).toEqual([["ann@acme.example"]]);
    expect(rows("application-declined")).toMatchObject([{ identity: String(declined), status: "queued" }]);
    expect(rows("application-declined")[0].text).toContain("Not a fit this year.");
    expect(smtpCalls).toBe(0);
  });
});

describe("the emails that used to follow their commit (issue 14 item 1, the rest)", () => {
  const registration = (domain: string) => ({
    companyName: "Initech",
    domain,
    contactName: "Peter",
    contactEmail: "peter@initech.example",
    amountCents: 1_250_000,
    currency: "USD",
    expectedCloseOn: "2099-06-30",
    productLine: "Platform",
    notes: "",
  });

  it("registration submitted: the reviewer's email commits with the deal, once per deal, none for a failed or refused registration", () => {
    const who = { userId: world.userA.id, partnerId: world.partnerA.id, actor: actorOf(world.userA) };
    const key = { actor: `user:${world.userA.id}`, form: "deal.register", token: "form-1" };
    const first = registerDealAndNotify({ db, config }, who, registration("initech.example"), new Date(), key);
    expect(first.status).toBe("registered");
    // The same form again (a double click): replayed, no second deal, no second email.
    expect(registerDealAndNotify({ db, config }, who, registration("initech.example"), new Date(), key).status).toBe("replayed");
    // Another partner's registration of the held account without a note is refused: nothing queued.
    const other = { userId: null, partnerId: world.partnerB.id, actor: actorOf(world.adminB) };
    expect(registerDealAndNotify({ db, config }, other, registration("initech.example")).status).toBe("needs_confirmation");
    const queued = rows("deal-submitted");
    if (first.status !== "registered") throw new Error("unreachable");
    expect(queued).toMatchObject([{ identity: `deal-${first.dealId}`, partnerId: world.partnerA.id, status: "queued" }]);
    // Alpha's reviewer is its partner manager.
    expect(JSON.parse(queued[0].recipients)).toEqual(["manager@world.test"]);
    expect(queued[0].text).toContain(`https://portal.test/internal/registrations/${first.dealId}`);
    expect(smtpCalls).toBe(0);
  });

  it("bulk approval: each approval and its email are one transaction; approving again queues nothing", () => {
    const customer = createCustomer(db, { name: "Globex", domain: "globex.example" });
    const deal = createDeal(db, { partnerId: world.partnerA.id, customerId: customer.id, submittedBy: world.userA.id, stage: "submitted" });
    const first = bulkApproveAndNotify({ db, config }, actorOf(world.manager), [deal.id]);
    expect(first.approved.map((a) => a.dealId)).toEqual([deal.id]);
    const again = bulkApproveAndNotify({ db, config }, actorOf(world.manager), [deal.id]);
    expect(again.skipped).toMatchObject([{ dealId: deal.id, reason: "it is already approved." }]);
    const queued = rows("deal-approved");
    expect(queued).toMatchObject([{ identity: `deal-${deal.id}`, partnerId: world.partnerA.id, status: "queued" }]);
    expect(JSON.parse(queued[0].recipients)).toEqual(expect.arrayContaining(["sales@alpha.test", "admin@alpha.test"]));
    expect(smtpCalls).toBe(0);
  });

  it("protection expiring: the warning is marked and queued in one transaction; the next run queues nothing", async () => {
    const now = new Date();
    const customer = createCustomer(db, { name: "Hooli", domain: "hooli.example" });
    const deal = createDeal(db, {
      partnerId: world.partnerA.id,
      customerId: customer.id,
      submittedBy: world.userA.id,
      stage: "approved",
      submittedAt: new Date(now.getTime() - 81 * 86_400_000),
      decidedAt: new Date(now.getTime() - 80 * 86_400_000),
      protectionEndsAt: new Date(now.getTime() + 10 * 86_400_000),
    });
    const first = await runDealLifecycle({ db, mailer, config }, now);
    expect(first.warned).toEqual([deal.id]);
    const second = await runDealLifecycle({ db, mailer, config }, new Date(now.getTime() + 60_000));
    expect(second.warned).toEqual([]);
    const until = db.select({ at: deals.protectionEndsAt }).from(deals).where(eq(deals.id, deal.id)).get()!.at!.toISOString().slice(0, 10);
    const queued = rows("deal-expiring");
    expect(queued).toMatchObject([{ identity: `deal-${deal.id}-${until}`, partnerId: world.partnerA.id, status: "queued" }]);
    expect(db.select({ at: deals.expiryWarnedAt }).from(deals).where(eq(deals.id, deal.id)).get()!.at).toEqual(now);
    expect(smtpCalls).toBe(0);
  });

  it("application: the applicant's confirmation and the staff's notice commit with the application, once", () => {
    const input = {
      companyName: "Nordlicht GmbH",
      website: "nordlicht.example",
      kind: "agency" as const,
      region: "EMEA",
      contactName: "Ann",
      contactEmail: "ann@nordlicht.example",
      message: "We implement CRMs.",
    };
    const key = { actor: "anonymous", form: "apply", token: "form-apply-1" };
    const submitted = submitApplication(db, input, { key, config });
    expect(submitApplication(db, input, { key, config })).toEqual({ replayed: true });
    if (submitted.replayed) throw new Error("a first submission is never a replay");
    const id = String(submitted.application.id);
    expect(rows("application-received")).toMatchObject([{ identity: id, recipients: JSON.stringify(["ann@nordlicht.example"]), status: "queued" }]);
    const arrived = rows("application-arrived");
    expect(arrived).toMatchObject([{ identity: id, status: "queued" }]);
    expect(JSON.parse(arrived[0].recipients)).toEqual(["admin@world.test", "manager@world.test"]);
    expect(arrived[0].text).toContain("https://portal.test/internal/applications");
    expect(smtpCalls).toBe(0);
  });

  it("password changed (on /account and through a reset link): the notice commits with the new password, one per change", async () => {
    const changed = await changePassword(db, world.userA.id, { current: TEST_PASSWORD, next: "a-brand-new-passphrase" }, { config });
    if (!changed.ok) throw new Error(changed.message);
    expect(rows("password-changed")).toMatchObject([
      { identity: `${world.userA.email}.${changed.changedAt.getTime()}`, recipients: JSON.stringify(["sales@alpha.test"]) },
    ]);
    expect(rows("password-changed")[0].text).toContain("https://portal.test/forgot-password");
    // A wrong current password changes nothing and queues nothing.
    expect(await changePassword(db, world.userA.id, { current: "not-my-password", next: "another-passphrase!" }, { config })).toMatchObject({ ok: false });
    expect(rows("password-changed")).toHaveLength(1);

    await requestPasswordReset({ db, mailer, config }, "admin@alpha.test");
    const token = rows("password-reset")[0].text.match(/reset-password\/([a-z0-9]+)/)![1];
    const reset = await resetPassword(db, token, "yet-another-passphrase", { config });
    if (!reset.ok) throw new Error(reset.status);
    // The used link again: refused, nothing more queued.
    expect(await resetPassword(db, token, "yet-another-passphrase", { config })).toMatchObject({ ok: false, status: "used" });
    const notices = rows("password-changed");
    expect(notices).toHaveLength(2);
    expect(notices.map((r) => JSON.parse(r.recipients)[0]).sort()).toEqual(["admin@alpha.test", "sales@alpha.test"]);
    expect(smtpCalls).toBe(0);
  });
});

describe("the credit-model notice (issue 14, item 2)", () => {
  const save = (attributionModel: "sourced" | "linear" | "first", at: Date, key: { actor: string; form: string; token: string } | null = null) =>
    saveProgramSettings(
      db,
      actorOf(world.admin),
      {
        programName: "Partner Program",
        attributionModel,
        protectionDays: 90,
        ladder: db.select().from(tiers).orderBy(asc(tiers.rank)).all(),
        reason: "Share credit on co-sold deals.",
      },
      at,
      key,
      { config },
    );

  it("is queued per active partner in the settings change's transaction, under partner + new model + the change's instant", () => {
    const at = new Date("2099-03-01T10:00:00Z");
    const key = { actor: `user:${world.admin.id}`, form: "settings", token: "form-settings-1" };
    expect(save("linear", at, key).notified).toEqual({ partners: 2 });
    // The same form again: a replay, nothing more queued.
    expect(save("linear", at, key).replayed).toBe(true);
    // A save that keeps the model queues nothing.
    expect(save("linear", new Date(at.getTime() + 1000)).notified).toBeNull();
    const queued = rows("credit-model-changed");
    expect(queued.map((r) => [r.partnerId, r.identity]).sort()).toEqual(
      [
        [world.partnerA.id, `partner-${world.partnerA.id}.linear.${at.getTime()}`],
        [world.partnerB.id, `partner-${world.partnerB.id}.linear.${at.getTime()}`],
      ].sort(),
    );
    // Each partner's notice goes to its own people only.
    const toA = queued.find((r) => r.partnerId === world.partnerA.id)!;
    expect(JSON.parse(toA.recipients)).toEqual(["admin@alpha.test"]);
    expect(toA.text).toContain("Alpha Resellers");
    expect(toA.text).not.toContain("Beta Agency");
    expect(smtpCalls).toBe(0);
  });

  it("a settings change that fails leaves no notice; a later change back gets its own", () => {
    expect(() =>
      writeTransaction(db, () => {
        save("first", new Date("2099-04-01T00:00:00Z"));
        throw new Error("crash before commit");
      }),
    ).toThrow("crash before commit");
    expect(rows("credit-model-changed")).toHaveLength(0);
    save("linear", new Date("2099-04-02T00:00:00Z"));
    save("sourced", new Date("2099-04-03T00:00:00Z"));
    expect(rows("credit-model-changed").map((r) => r.identity.split(".").slice(1).join(".")).sort()).toEqual([
      `linear.${Date.parse("2099-04-02T00:00:00Z")}`,
      `linear.${Date.parse("2099-04-02T00:00:00Z")}`,
      `sourced.${Date.parse("2099-04-03T00:00:00Z")}`,
      `sourced.${Date.parse("2099-04-03T00:00:00Z")}`,
    ]);
  });
});
