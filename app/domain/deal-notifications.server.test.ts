// The deal emails against a real database and a real outbox: the partner team hears about a
// new registration; after a decision or outcome commits, the registering partner (its admins
// and the submitter) is emailed.
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createCustomer,
  createDeal,
  createPartner,
  createPartnerWithUser,
  createUser,
  ensureDefaultProgram,
  registrationInput,
} from "../../db/factories";
import { deals } from "../../db/schema";
import { createTestDatabase } from "../../tests/support/db";
import { createTestMailer } from "../../tests/support/mail";
import { closeDatabase, type DB } from "../db.server";
import { listOutbox, type Mailer } from "../mailer.server";
import { actorOf } from "./audit.server";
import {
  notifyDealWon,
  notifyRegistrationApproved,
  notifyRegistrationRejected,
  notifyRegistrationSubmitted,
  sendLogged,
} from "./deal-notifications.server";
import { closedAtFromDate } from "./deals";
import { approveRegistration, markWon, rejectRegistration, registerDeal } from "./deals.server";
import { formatDate, formatMoney } from "./format";

const DAY = 86_400_000;
const config = { APP_URL: "http://portal.test" };

let db: DB;
let outboxDir: string;
let mailer: Mailer;
const ctx = () => ({ db, mailer, config });

beforeEach(() => {
  db = createTestDatabase().db;
  ensureDefaultProgram(db);
  ({ mailer, outboxDir } = createTestMailer());
});

afterEach(() => {
  closeDatabase(db);
});

function world() {
  const reviewer = actorOf(createUser(db, { role: "partner_manager", email: "mia@vendor.test" }));
  const partner = createPartner(db, { name: "Alpha Resellers", slug: "alpha" });
  const other = createPartner(db, { name: "Beta Agency", slug: "beta" });
  const admin = createUser(db, { role: "partner_admin", partnerId: partner.id, email: "admin@alpha.test" });
  const sales = createUser(db, { role: "partner_user", partnerId: partner.id, email: "sales@alpha.test" });
  createUser(db, { role: "partner_user", partnerId: partner.id, email: "colleague@alpha.test" });
  createUser(db, { role: "partner_admin", partnerId: partner.id, email: "gone@alpha.test", disabledAt: new Date() });
  createUser(db, { role: "partner_admin", partnerId: other.id, email: "admin@beta.test" });
  const customer = createCustomer(db, { name: "Initech <Labs>", domain: "initech.com" });
  const deal = createDeal(db, {
    partnerId: partner.id,
    customerId: customer.id,
    submittedBy: sales.id,
    stage: "submitted",
    title: "Initech <Labs> — Core Platform",
    amountCents: 4_200_000,
  });
  return { reviewer, partner, other, admin, sales, deal };
}

describe("notifyRegistrationSubmitted", () => {
  let seq = 0;
  const uniqueDomain = (label: string) => `${label}-${++seq}.example.com`;
  function outboxMailer() {
    const { outboxDir: dir, mailer } = createTestMailer();
    return { dir, mailer };
  }
  const portal = { APP_URL: "https://portal.example.com" };

  it("emails the partner's manager with a link to the review page", async () => {
    const manager = createUser(db, { role: "partner_manager", name: "Nia Manager", email: `nia-${++seq}@vendor.test` });
    const partner = createPartner(db, { name: "Theta & Sons", slug: `theta-${seq}`, managerId: manager.id });
    const user = createUser(db, { role: "partner_user", partnerId: partner.id, name: "Sal Seller" });
    const result = registerDeal(db, { userId: user.id, partnerId: partner.id, actor: actorOf(user) }, registrationInput(uniqueDomain("notify")));
    if (result.status !== "registered") throw new Error("registration failed");
    const { dir, mailer } = outboxMailer();
    const sent = await notifyRegistrationSubmitted({ db, mailer, config: portal }, result.dealId);
    expect(sent).toEqual({ sent: true, to: [manager.email] });
    const [message] = listOutbox(dir);
    expect(message!.to).toEqual([manager.email]);
    expect(message!.subject).toContain(`#${result.dealId}`);
    expect(message!.subject).toContain("Theta & Sons");
    expect(message!.text).toContain(`https://portal.example.com/internal/registrations/${result.dealId}`);
    expect(message!.html).toContain(`href="https://portal.example.com/internal/registrations/${result.dealId}"`);
    expect(message!.html).toContain("Theta &amp; Sons");
    expect(message!.text).toContain(formatMoney(4_250_050, "USD"));
    expect(message!.text).toContain("Sal Seller of Theta & Sons");
  });

  it("emails every active admin when the partner has no manager", async () => {
    const admins = [
      createUser(db, { role: "admin", email: `admin-a-${++seq}@vendor.test` }),
      createUser(db, { role: "admin", email: `admin-b-${seq}@vendor.test` }),
    ];
    createUser(db, { role: "admin", email: `admin-gone-${seq}@vendor.test`, disabledAt: new Date() });
    const { who } = createPartnerWithUser(db);
    const result = registerDeal(db, who, registrationInput(uniqueDomain("unmanaged")));
    if (result.status !== "registered") throw new Error("registration failed");
    const { dir, mailer } = outboxMailer();
    const sent = await notifyRegistrationSubmitted({ db, mailer, config: portal }, result.dealId);
    expect(sent.to).toEqual(expect.arrayContaining(admins.map((a) => a.email)));
    expect(sent.to.some((e) => e.startsWith("admin-gone-"))).toBe(false);
    expect(listOutbox(dir)).toHaveLength(1);
  });
});

describe("decision emails", () => {
  it("approval: the partner's admins and the submitter hear the protection end date", async () => {
    const { reviewer, deal } = world();
    const { protectionEndsAt } = approveRegistration(db, reviewer, deal.id);
    expect(await notifyRegistrationApproved(ctx(), deal.id)).toEqual({
      sent: true,
      to: expect.arrayContaining(["admin@alpha.test", "sales@alpha.test"]),
    });
    const [mail] = listOutbox(outboxDir);
    expect(mail!.to.sort()).toEqual(["admin@alpha.test", "sales@alpha.test"]);
    expect(mail!.subject).toBe("Approved: Initech <Labs> — Core Platform");
    expect(mail!.text).toContain(`until ${formatDate(protectionEndsAt)}`);
    expect(mail!.text).toContain("$42,000");
    expect(mail!.text).toContain(`Open the deal: http://portal.test/deals/${deal.id}`);
    expect(mail!.html).toContain(`href="http://portal.test/deals/${deal.id}"`);
    expect(mail!.html).toContain("Initech &lt;Labs&gt;");
    expect(mail!.html).not.toContain("Initech <Labs>");
  });

  it("rejection: the partner reads the reviewer's reason", async () => {
    const { reviewer, deal } = world();
    rejectRegistration(db, reviewer, deal.id, "The customer is already in a <direct> opportunity.");
    expect((await notifyRegistrationRejected(ctx(), deal.id)).sent).toBe(true);
    const [mail] = listOutbox(outboxDir);
    expect(mail!.to.sort()).toEqual(["admin@alpha.test", "sales@alpha.test"]);
    expect(mail!.subject).toBe("Not approved: Initech <Labs> — Core Platform");
    expect(mail!.text).toContain("Their reason: The customer is already in a <direct> opportunity.");
    expect(mail!.html).toContain("already in a &lt;direct&gt; opportunity");
    expect(mail!.text).toContain(`http://portal.test/deals/${deal.id}`);
  });

  it("won: the partner hears the amount and the close date", async () => {
    const { reviewer, deal } = world();
    approveRegistration(db, reviewer, deal.id);
    const closedOn = new Date(Date.now() - DAY).toISOString().slice(0, 10);
    markWon(db, reviewer, deal.id, 3_875_050, closedAtFromDate(closedOn));
    expect((await notifyDealWon(ctx(), deal.id)).sent).toBe(true);
    const [mail] = listOutbox(outboxDir);
    expect(mail!.to.sort()).toEqual(["admin@alpha.test", "sales@alpha.test"]);
    // formatMoney (app/domain/format.ts) decides how cents are shown; the email uses it as is.
    expect(mail!.subject).toBe(`Won: Initech <Labs> — Core Platform (${formatMoney(3_875_050)})`);
    expect(mail!.text).toContain(`closed won on ${formatDate(closedOn)} for ${formatMoney(3_875_050)}`);
    expect(mail!.text).toContain(`http://portal.test/deals/${deal.id}`);
  });

  it("sends nothing for a direct deal or a deal not in the announced state", async () => {
    const { reviewer, deal } = world();
    const direct = createDeal(db, { partnerId: null, stage: "submitted" });
    approveRegistration(db, reviewer, direct.id);
    expect(await notifyRegistrationApproved(ctx(), direct.id)).toEqual({ sent: false, to: [] });
    expect(await notifyRegistrationRejected(ctx(), deal.id)).toEqual({ sent: false, to: [] });
    expect(await notifyDealWon(ctx(), deal.id)).toEqual({ sent: false, to: [] });
    expect(listOutbox(outboxDir)).toHaveLength(0);
  });

  it("a mail failure is logged and never undoes the decision", async () => {
    const { reviewer, deal } = world();
    approveRegistration(db, reviewer, deal.id);
    const failing: Mailer = { ...mailer, send: async () => Promise.reject(new Error("SMTP is down")) };
    const logged: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => logged.push(args);
    try {
      const ok = await sendLogged(`approval email for deal #${deal.id}`, () =>
        notifyRegistrationApproved({ db, mailer: failing, config }, deal.id),
      );
      expect(ok).toBe(false);
    } finally {
      console.error = original;
    }
    expect(logged).toHaveLength(1);
    expect(db.select({ stage: deals.stage }).from(deals).where(eq(deals.id, deal.id)).get()!.stage).toBe("approved");
  });
});

describe("the customer name in the emails", () => {
  it("is the one the partner typed; the partner team sees the customer record's too, labelled", async () => {
    const manager = createUser(db, { role: "partner_manager", email: "names-manager@vendor.test" });
    const first = createPartner(db, { name: "First In", slug: "first-in" });
    const second = createPartner(db, { name: "Second In", slug: "second-in", managerId: manager.id });
    const firstUser = createUser(db, { role: "partner_user", partnerId: first.id });
    const secondUser = createUser(db, { role: "partner_admin", partnerId: second.id, email: "admin@second.test" });
    const reviewer = actorOf(manager);
    const a = registerDeal(
      db,
      { userId: firstUser.id, partnerId: first.id, actor: actorOf(firstUser) },
      registrationInput("names.example.com", { companyName: "Codename First Corp" }),
    );
    if (a.status !== "registered") throw new Error("registration failed");
    rejectRegistration(db, reviewer, a.dealId, "Duplicate of a direct opportunity.");
    const b = registerDeal(
      db,
      { userId: secondUser.id, partnerId: second.id, actor: actorOf(secondUser) },
      registrationInput("names.example.com", { companyName: "Second Typed Ltd" }),
    );
    if (b.status !== "registered") throw new Error("registration failed");

    await notifyRegistrationSubmitted(ctx(), b.dealId);
    const [submitted] = listOutbox(outboxDir);
    expect(submitted!.to).toEqual([manager.email]);
    expect(submitted!.subject).toContain("Second Typed Ltd");
    expect(submitted!.text).toContain("Customer record: Codename First Corp · typed by partner: Second Typed Ltd");

    approveRegistration(db, reviewer, b.dealId);
    await notifyRegistrationApproved(ctx(), b.dealId);
    const approved = listOutbox(outboxDir).find((m) => m.subject.startsWith("Approved:"))!;
    expect(approved.to).toEqual(["admin@second.test"]);
    expect(approved.text).toContain("Second Typed Ltd is protected for you");
    expect(`${approved.subject}${approved.text}${approved.html}`).not.toContain("Codename");
  });
});
