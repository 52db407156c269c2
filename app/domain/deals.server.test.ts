import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, customers, deals, touches } from "../../db/schema";
import {
  createCustomer,
  createDeal,
  createPartner,
  createUser,
  ensureDefaultProgram,
} from "../../db/factories";
import { createTestDatabase } from "../../tests/support/db";
import { closeDatabase, type DB } from "../db.server";
import { createMailer, listOutbox } from "../mailer.server";
import { actorOf } from "./audit.server";
import { notifyRegistrationSubmitted } from "./deal-notifications.server";
import { formatMoney } from "./format";
import {
  addPartnerTouch,
  approveRegistration,
  checkDomainForPartner,
  dealFiltersFromSearch,
  DealError,
  exportPartnerDeals,
  getPartnerDeal,
  listPartnerDeals,
  partnerDealHistory,
  registerDeal,
  rejectRegistration,
  type RegistrationInput,
} from "./deals.server";

const DAY = 86_400_000;

let db: DB;
let file: string;

beforeAll(() => {
  ({ db, file } = createTestDatabase());
  ensureDefaultProgram(db);
});
afterAll(() => closeDatabase(db));

let seq = 0;
function partnerWithUser(name?: string) {
  const n = ++seq;
  const partner = createPartner(db, { name: name ?? `Contender ${n}`, slug: `contender-${n}-${Date.now()}` });
  const user = createUser(db, { role: "partner_user", partnerId: partner.id, name: `Casey Contender ${n}` });
  return { partner, user, who: { userId: user.id, partnerId: partner.id, actor: actorOf(user) } };
}

function input(domain: string, values: Partial<RegistrationInput> = {}): RegistrationInput {
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

const uniqueDomain = (label: string) => `${label}-${++seq}.example.com`;

describe("registerDeal", () => {
  it("creates the customer, the deal holding the claim, the registration touch and the audit event", () => {
    const { partner, user, who } = partnerWithUser();
    const domain = uniqueDomain("acme");
    const now = new Date("2030-03-01T10:00:00Z");
    const result = registerDeal(db, who, input(domain), now);
    expect(result).toMatchObject({ status: "registered", holdsClaim: true, conflict: false });
    if (result.status !== "registered") throw new Error("unreachable");

    const customer = db.select().from(customers).where(eq(customers.domain, domain)).get();
    expect(customer).toMatchObject({ name: "Acme Rockets Inc.", normalizedName: "acme rockets" });

    const deal = db.select().from(deals).where(eq(deals.id, result.dealId)).get()!;
    expect(deal).toMatchObject({
      customerId: customer!.id,
      partnerId: partner.id,
      submittedBy: user.id,
      title: "Acme Rockets Inc. — Platform",
      amountCents: 4_250_050,
      currency: "USD",
      stage: "submitted",
      holdsClaim: true,
      conflictNote: null,
      contactEmail: `jordan.rivera@${domain}`,
    });
    expect(deal.submittedAt.getTime()).toBe(now.getTime());

    const dealTouches = db.select().from(touches).where(eq(touches.dealId, deal.id)).all();
    expect(dealTouches).toHaveLength(1);
    expect(dealTouches[0]).toMatchObject({
      partnerId: partner.id,
      kind: "referral",
      pillar: "sell",
      createdBy: user.id,
    });
    expect(dealTouches[0]!.occurredAt.getTime()).toBe(now.getTime());

    const audit = db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.entityType, "deal"), eq(auditEvents.entityId, String(deal.id))))
      .all();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: "deal.submitted", actorId: user.id, partnerId: partner.id });
    expect(audit[0]!.after).toMatchObject({ stage: "submitted", domain, holdsClaim: true, conflict: false });
  });

  it("tells a second partner only 'already registered', and stores its noted registration without the claim", () => {
    const first = partnerWithUser("Alpha Holder");
    const second = partnerWithUser("Beta Latecomer");
    const domain = uniqueDomain("contested");
    const held = registerDeal(db, first.who, input(domain));
    if (held.status !== "registered") throw new Error("first registration failed");

    const answer = registerDeal(db, second.who, input(domain, { companyName: "ACME Rockets" }));
    expect(answer).toEqual({ status: "needs_confirmation", check: { status: "already_registered" } });
    // Nothing of the holder leaks: no partner, no deal id, no customer name in the answer.
    const told = JSON.stringify(answer);
    expect(told).not.toContain("Alpha");
    expect(told).not.toContain(String(held.dealId));
    expect(told).not.toContain(String(first.partner.id));
    // And nothing was written.
    expect(db.select().from(deals).where(eq(deals.partnerId, second.partner.id)).all()).toHaveLength(0);

    const noted = registerDeal(
      db,
      second.who,
      input(domain, { conflictNote: "We have worked with their EMEA unit for two years." }),
    );
    expect(noted).toMatchObject({ status: "registered", holdsClaim: false, conflict: true });
    if (noted.status !== "registered") throw new Error("unreachable");
    const flagged = db.select().from(deals).where(eq(deals.id, noted.dealId)).get()!;
    expect(flagged).toMatchObject({
      partnerId: second.partner.id,
      holdsClaim: false,
      conflictNote: "We have worked with their EMEA unit for two years.",
      stage: "submitted",
    });
    // One customer for the domain; the first registration keeps the claim.
    expect(db.select().from(customers).where(eq(customers.domain, domain)).all()).toHaveLength(1);
    expect(db.select().from(deals).where(eq(deals.id, held.dealId)).get()!.holdsClaim).toBe(true);
  });

  it("answers 'own' with the partner's deal when the same partner registers the domain twice", () => {
    const { who, partner } = partnerWithUser();
    const domain = uniqueDomain("twice");
    const first = registerDeal(db, who, input(domain));
    if (first.status !== "registered") throw new Error("first registration failed");

    expect(checkDomainForPartner(db, partner.id, domain)).toEqual({ status: "own", dealId: first.dealId });
    expect(registerDeal(db, who, input(domain, { productLine: "Analytics" }))).toEqual({
      status: "needs_confirmation",
      check: { status: "own", dealId: first.dealId },
    });
    const again = registerDeal(
      db,
      who,
      input(domain, { productLine: "Analytics", conflictNote: "A separate analytics opportunity." }),
    );
    expect(again).toMatchObject({ status: "registered", holdsClaim: false, conflict: true });
  });

  it("treats an existing customer (a won deal in the last 12 months) as already registered", () => {
    const { who, partner } = partnerWithUser();
    const now = new Date();
    const recent = createCustomer(db, { name: "Won Recently Ltd", domain: uniqueDomain("won-recently") });
    createDeal(db, { customerId: recent.id, partnerId: null, stage: "won", closedAt: new Date(now.getTime() - 30 * DAY) });
    const old = createCustomer(db, { name: "Won Long Ago Ltd", domain: uniqueDomain("won-long-ago") });
    createDeal(db, {
      customerId: old.id,
      partnerId: null,
      stage: "won",
      submittedAt: new Date(now.getTime() - 500 * DAY),
      decidedAt: new Date(now.getTime() - 498 * DAY),
      closedAt: new Date(now.getTime() - 400 * DAY),
    });

    expect(checkDomainForPartner(db, partner.id, recent.domain, now)).toEqual({ status: "already_registered" });
    expect(registerDeal(db, who, input(recent.domain), now)).toEqual({
      status: "needs_confirmation",
      check: { status: "already_registered" },
    });
    expect(checkDomainForPartner(db, partner.id, old.domain, now)).toEqual({ status: "free" });
    expect(registerDeal(db, who, input(old.domain), now)).toMatchObject({ status: "registered", holdsClaim: true });
  });

  it("lets a registration take the claim again once the holder was rejected", () => {
    const first = partnerWithUser();
    const second = partnerWithUser();
    const domain = uniqueDomain("released");
    const held = registerDeal(db, first.who, input(domain));
    if (held.status !== "registered") throw new Error("first registration failed");
    rejectRegistration(db, "system", held.dealId, "Duplicate of a direct opportunity.");
    expect(checkDomainForPartner(db, second.partner.id, domain)).toEqual({ status: "free" });
    expect(registerDeal(db, second.who, input(domain))).toMatchObject({ status: "registered", holdsClaim: true });
  });
});

describe("checkDomainForPartner", () => {
  it("says free, own or already registered, and never who holds it", () => {
    const holder = partnerWithUser("Gamma Secretive");
    const other = partnerWithUser();
    const domain = uniqueDomain("secret");
    expect(checkDomainForPartner(db, other.partner.id, domain)).toEqual({ status: "free" });
    const held = registerDeal(db, holder.who, input(domain));
    if (held.status !== "registered") throw new Error("registration failed");
    approveRegistration(db, "system", held.dealId);

    const answer = checkDomainForPartner(db, other.partner.id, domain);
    expect(answer).toEqual({ status: "already_registered" });
    expect(Object.keys(answer)).toEqual(["status"]);
    expect(checkDomainForPartner(db, holder.partner.id, domain)).toEqual({ status: "own", dealId: held.dealId });
  });

  it("frees a domain whose protection ran out", () => {
    const holder = partnerWithUser();
    const other = partnerWithUser();
    const domain = uniqueDomain("lapsed");
    const start = new Date("2030-01-01T00:00:00Z");
    const held = registerDeal(db, holder.who, input(domain), start);
    if (held.status !== "registered") throw new Error("registration failed");
    approveRegistration(db, "system", held.dealId, start);
    expect(checkDomainForPartner(db, other.partner.id, domain, new Date(start.getTime() + 89 * DAY))).toEqual({
      status: "already_registered",
    });
    expect(checkDomainForPartner(db, other.partner.id, domain, new Date(start.getTime() + 91 * DAY))).toEqual({
      status: "free",
    });
  });
});

describe("tenant scope of the partner reads and writes", () => {
  it("never returns or touches another partner's deal", () => {
    const a = partnerWithUser("Delta Owner");
    const b = partnerWithUser("Epsilon Outsider");
    const domain = uniqueDomain("private");
    const mine = registerDeal(db, a.who, input(domain, { companyName: "Private Customer Corp" }));
    if (mine.status !== "registered") throw new Error("registration failed");
    registerDeal(db, b.who, input(uniqueDomain("b-own")));

    expect(getPartnerDeal(db, a.partner.id, mine.dealId)?.deal.id).toBe(mine.dealId);
    expect(getPartnerDeal(db, b.partner.id, mine.dealId)).toBeNull();

    const listB = listPartnerDeals(db, b.partner.id);
    expect(listB.total).toBe(1);
    expect(listB.rows.map((r) => r.id)).not.toContain(mine.dealId);
    expect(listPartnerDeals(db, b.partner.id, { q: "Private Customer" }).total).toBe(0);
    expect(listPartnerDeals(db, b.partner.id, { q: domain }).rows).toEqual([]);

    const exportB = exportPartnerDeals(db, b.partner.id);
    expect(exportB).toHaveLength(1);
    expect(exportB.map((r) => r.id)).not.toContain(mine.dealId);
    expect(JSON.stringify(exportB)).not.toContain("Private Customer");

    let refused: unknown;
    try {
      addPartnerTouch(db, b.who, mine.dealId, {
        occurredAt: new Date(),
        kind: "co_sell_meeting",
        pillar: "sell",
        journeyStage: "decision",
        note: "Trying to get credit",
      });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(DealError);
    expect((refused as DealError).status).toBe(404);
    expect(db.select().from(touches).where(eq(touches.partnerId, b.partner.id)).all().map((t) => t.dealId)).not.toContain(
      mine.dealId,
    );
    expect(partnerDealHistory(db, b.partner.id, mine.dealId)).toEqual([]);
  });

  it("logs a touch on the partner's own deal", () => {
    const a = partnerWithUser();
    const mine = registerDeal(db, a.who, input(uniqueDomain("touched")));
    if (mine.status !== "registered") throw new Error("registration failed");
    const id = addPartnerTouch(db, a.who, mine.dealId, {
      occurredAt: new Date(),
      kind: "technical_validation",
      pillar: "build",
      journeyStage: "decision",
      note: "Proof of concept with their data team",
    });
    const found = getPartnerDeal(db, a.partner.id, mine.dealId)!;
    expect(found.touches.map((t) => t.id)).toContain(id);
    expect(found.touches[0]).toMatchObject({ kind: "referral" });
  });
});

describe("listPartnerDeals", () => {
  it("pages 25 at a time and filters by stage, submission dates and text", () => {
    const { partner } = partnerWithUser();
    const base = new Date("2031-01-01T12:00:00Z").getTime();
    for (let i = 0; i < 30; i++) {
      const customer = createCustomer(db, { name: `Paging Customer ${i}`, domain: uniqueDomain(`paging-${i}`) });
      createDeal(
        db,
        {
          partnerId: partner.id,
          customerId: customer.id,
          stage: i < 4 ? "approved" : "submitted",
          submittedAt: new Date(base + i * DAY),
        },
        { now: new Date(base + 40 * DAY) },
      );
    }
    const page1 = listPartnerDeals(db, partner.id);
    expect(page1).toMatchObject({ total: 30, page: 1, pages: 2 });
    expect(page1.rows).toHaveLength(25);
    expect(page1.rows[0]!.customer).toBe("Paging Customer 29"); // newest first
    const page2 = listPartnerDeals(db, partner.id, { page: 2 });
    expect(page2.rows).toHaveLength(5);
    expect(new Set([...page1.rows, ...page2.rows].map((r) => r.id)).size).toBe(30);

    expect(listPartnerDeals(db, partner.id, { stage: "approved" }).total).toBe(4);
    expect(listPartnerDeals(db, partner.id, { from: "2031-01-03", to: "2031-01-05" }).total).toBe(3);
    expect(listPartnerDeals(db, partner.id, { q: "Paging Customer 1" }).total).toBe(11); // 1, 10–19
    expect(exportPartnerDeals(db, partner.id, { stage: "approved" })).toHaveLength(4);
  });
});

describe("dealFiltersFromSearch", () => {
  it("keeps valid filters and drops what is not", () => {
    expect(
      dealFiltersFromSearch(new URLSearchParams("stage=approved&from=2030-01-01&to=2030-12-31&q=%20acme%20&page=3")),
    ).toEqual({ stage: "approved", from: "2030-01-01", to: "2030-12-31", q: "acme", page: 3 });
    expect(
      dealFiltersFromSearch(new URLSearchParams("stage=bogus&from=2030-02-30&to=yesterday&q=&page=-1")),
    ).toEqual({});
    expect(dealFiltersFromSearch(new URLSearchParams("page=1.5"))).toEqual({});
  });
});

describe("partnerDealHistory", () => {
  it("names colleagues, calls staff 'Partner team', and shows no emails, other partners or raw values", () => {
    const a = partnerWithUser("Zeta Historians");
    const colleague = createUser(db, { role: "partner_admin", partnerId: a.partner.id, name: "Cora Colleague" });
    const manager = createUser(db, { role: "partner_manager", name: "Mallory Manager", email: "mallory@vendor.test" });
    const outsider = partnerWithUser("Eta Intruders");
    const mine = registerDeal(db, a.who, input(uniqueDomain("history")));
    if (mine.status !== "registered") throw new Error("registration failed");
    addPartnerTouch(db, { userId: colleague.id, partnerId: a.partner.id, actor: actorOf(colleague) }, mine.dealId, {
      occurredAt: new Date(),
      kind: "co_sell_meeting",
      pillar: "sell",
      journeyStage: "decision",
      note: "",
    });
    approveRegistration(db, actorOf(manager), mine.dealId);
    // An event about this deal recorded for another partner (e.g. an imported touch) stays hidden.
    db.insert(auditEvents)
      .values({
        at: new Date(),
        actorId: outsider.user.id,
        actorLabel: `${outsider.user.email} (partner_user)`,
        action: "touch.added",
        entityType: "deal",
        entityId: String(mine.dealId),
        partnerId: outsider.partner.id,
        after: { kind: "support" },
      })
      .run();

    const history = partnerDealHistory(db, a.partner.id, mine.dealId);
    expect(history.map((h) => h.by)).toEqual([a.user.name, "Cora Colleague", "Partner team"]);
    expect(history[0]!.what).toBe("Registered the deal");
    expect(history[1]!.what).toMatch(/^Logged an activity: co-sell meeting on /);
    expect(history[2]!.what).toMatch(/^Approved the registration; the account is protected until /);
    const shown = JSON.stringify(history);
    for (const secret of ["@", "Mallory", "Eta Intruders", outsider.user.name, "{\\\"", "partner_manager"]) {
      expect(shown).not.toContain(secret);
    }
  });
});

describe("notifyRegistrationSubmitted", () => {
  function outboxMailer() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deal-mail-"));
    return { dir, mailer: createMailer({ MAIL_FROM: "Partner Program <partners@test>", OUTBOX_DIR: dir }) };
  }
  const config = { APP_URL: "https://portal.example.com" };

  it("emails the partner's manager with a link to the review page", async () => {
    const manager = createUser(db, { role: "partner_manager", name: "Nia Manager", email: `nia-${++seq}@vendor.test` });
    const partner = createPartner(db, { name: "Theta & Sons", slug: `theta-${seq}`, managerId: manager.id });
    const user = createUser(db, { role: "partner_user", partnerId: partner.id, name: "Sal Seller" });
    const result = registerDeal(db, { userId: user.id, partnerId: partner.id, actor: actorOf(user) }, input(uniqueDomain("notify")));
    if (result.status !== "registered") throw new Error("registration failed");
    const { dir, mailer } = outboxMailer();
    const sent = await notifyRegistrationSubmitted({ db, mailer, config }, result.dealId);
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
    const { who } = partnerWithUser();
    const result = registerDeal(db, who, input(uniqueDomain("unmanaged")));
    if (result.status !== "registered") throw new Error("registration failed");
    const { dir, mailer } = outboxMailer();
    const sent = await notifyRegistrationSubmitted({ db, mailer, config }, result.dealId);
    expect(sent.to).toEqual(expect.arrayContaining(admins.map((a) => a.email)));
    expect(sent.to.some((e) => e.startsWith("admin-gone-"))).toBe(false);
    expect(listOutbox(dir)).toHaveLength(1);
  });
});

describe("two processes racing for one domain", () => {
  function contender(args: string[]) {
    const child = spawn("npx", ["tsx", path.resolve("tests/support/register-deal-process.ts"), ...args], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    const ready = new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        if (out.startsWith("ready\n")) resolve();
      });
      child.on("exit", (code) => reject(new Error(`contender exited early (${code}): ${err}`)));
    });
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    const done = new Promise<{ domain: string; startedAt: number; result: { status: string; holdsClaim?: boolean; conflict?: boolean; dealId?: number } }[]>(
      (resolve, reject) => {
        child.on("exit", (code) => {
          if (code !== 0) return reject(new Error(`contender failed (${code}): ${err}`));
          resolve(JSON.parse(out.slice("ready\n".length).trim()));
        });
      },
    );
    return { child, ready, done };
  }

  it("gives the claim to exactly one registration, and stores the other flagged", async () => {
    const a = partnerWithUser();
    const b = partnerWithUser();
    const domains = Array.from({ length: 12 }, (_, i) => uniqueDomain(`race-${i}`));
    const gapMs = "60";
    const one = contender([file, String(a.partner.id), a.user.id, gapMs, ...domains]);
    const two = contender([file, String(b.partner.id), b.user.id, gapMs, ...domains]);
    await Promise.all([one.ready, two.ready]);
    const go = `go ${Date.now() + 200}\n`;
    one.child.stdin.end(go);
    two.child.stdin.end(go);
    const [resultsA, resultsB] = await Promise.all([one.done, two.done]);

    for (const [i, domain] of domains.entries()) {
      const ra = resultsA[i]!;
      const rb = resultsB[i]!;
      expect(ra.domain).toBe(domain);
      expect(rb.domain).toBe(domain);
      // Both were started at the same scheduled instant (spin-waited, not timer-woken).
      expect(Math.abs(ra.startedAt - rb.startedAt)).toBeLessThan(1000);
      expect(ra.result.status).toBe("registered");
      expect(rb.result.status).toBe("registered");
      expect([ra.result.holdsClaim, rb.result.holdsClaim].filter(Boolean)).toHaveLength(1);
      expect(ra.result.conflict).toBe(!ra.result.holdsClaim);
      expect(rb.result.conflict).toBe(!rb.result.holdsClaim);

      const customer = db.select().from(customers).where(eq(customers.domain, domain)).all();
      expect(customer).toHaveLength(1);
      const rows = db.select().from(deals).where(eq(deals.customerId, customer[0]!.id)).all();
      expect(rows).toHaveLength(2);
      expect(rows.filter((d) => d.holdsClaim)).toHaveLength(1);
      const flagged = rows.find((d) => !d.holdsClaim)!;
      expect(flagged.conflictNote).toMatch(/same moment/);
      expect(rows.find((d) => d.holdsClaim)!.conflictNote).toBeNull();
    }
    const starts = domains.map((_, i) => Math.abs(resultsA[i]!.startedAt - resultsB[i]!.startedAt));
    console.info(`race: start gap per domain (ms) ${starts.join(", ")}`);
  }, 120_000);
});

describe("the customer name a partner sees", () => {
  it("is the name that partner typed, never the wording of another partner's registration", () => {
    const a = partnerWithUser();
    const b = partnerWithUser();
    const domain = uniqueDomain("shared-name");
    const first = registerDeal(db, a.who, input(domain, { companyName: "Secret Codename Corp" }));
    const second = registerDeal(
      db,
      b.who,
      input(domain, { companyName: "Shared Name Ltd", conflictNote: "We met them at a trade show." }),
    );
    if (first.status !== "registered" || second.status !== "registered") throw new Error("not registered");
    const seen = getPartnerDeal(db, b.partner.id, second.dealId)!;
    expect(seen.deal.customer).toBe("Shared Name Ltd");
    const listed = JSON.stringify(listPartnerDeals(db, b.partner.id, {}));
    const exported = JSON.stringify(exportPartnerDeals(db, b.partner.id, {}));
    expect(listed).not.toContain("Secret Codename");
    expect(exported).not.toContain("Secret Codename");
  });
});
