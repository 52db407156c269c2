// The partner's own deals against a real migrated SQLite file: tenant scope, paging and
// filters, the history a partner may see, and the customer name it typed.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, touches } from "../../db/schema";
import {
  createCustomer,
  createDeal,
  createPartnerWithUser,
  createUser,
  ensureDefaultProgram,
  registrationInput,
} from "../../db/factories";
import { createTestDatabase } from "../../tests/support/db";
import { closeDatabase, type DB } from "../db.server";
import { actorOf } from "./audit.server";
import { approveRegistration, DealError, registerDeal } from "./deals.server";
import {
  addPartnerTouch,
  exportPartnerDeals,
  getPartnerDeal,
  decodeDealCursor,
  listPartnerDeals,
  partnerDealHistory,
} from "./partner-deals.server";

const DAY = 86_400_000;

let db: DB;

beforeAll(() => {
  ({ db } = createTestDatabase());
  ensureDefaultProgram(db);
});
afterAll(() => closeDatabase(db));

let seq = 0;
const uniqueDomain = (label: string) => `${label}-${++seq}.example.com`;

describe("tenant scope of the partner reads and writes", () => {
  it("never returns or touches another partner's deal", () => {
    const a = createPartnerWithUser(db, "Delta Owner");
    const b = createPartnerWithUser(db, "Epsilon Outsider");
    const domain = uniqueDomain("private");
    const mine = registerDeal(db, a.who, registrationInput(domain, { companyName: "Private Customer Corp" }));
    if (mine.status !== "registered") throw new Error("registration failed");
    registerDeal(db, b.who, registrationInput(uniqueDomain("b-own")));

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
    const a = createPartnerWithUser(db);
    const mine = registerDeal(db, a.who, registrationInput(uniqueDomain("touched")));
    if (mine.status !== "registered") throw new Error("registration failed");
    const added = addPartnerTouch(db, a.who, mine.dealId, {
      occurredAt: new Date(),
      kind: "technical_validation",
      pillar: "build",
      journeyStage: "decision",
      note: "Proof of concept with their data team",
    });
    const found = getPartnerDeal(db, a.partner.id, mine.dealId)!;
    expect(added.status).toBe("added");
    if (added.status !== "added") return;
    expect(found.touches.map((t) => t.id)).toContain(added.touchId);
    expect(found.touches[0]).toMatchObject({ kind: "referral" });
  });
});

describe("listPartnerDeals", () => {
  it("pages 25 at a time and filters by stage, submission dates and text", () => {
    const { partner } = createPartnerWithUser(db);
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
    expect(page1.total).toBe(30);
    expect(page1.rows).toHaveLength(25);
    expect(page1.rows[0]!.customer).toBe("Paging Customer 29"); // newest first
    expect(page1.prev).toBeNull();
    const page2 = listPartnerDeals(db, partner.id, {}, { after: decodeDealCursor(page1.next) });
    expect(page2.rows).toHaveLength(5);
    expect(page2.next).toBeNull();
    expect(new Set([...page1.rows, ...page2.rows].map((r) => r.id)).size).toBe(30);
    // Back from the second page: the first page again, whole.
    expect(listPartnerDeals(db, partner.id, {}, { before: decodeDealCursor(page2.prev) }).rows.map((r) => r.id)).toEqual(
      page1.rows.map((r) => r.id),
    );
    // The filters hold across pages: 7 a page, stage approved (4) on one page.
    const small = listPartnerDeals(db, partner.id, { stage: "submitted" }, {}, 7);
    const rest = listPartnerDeals(db, partner.id, { stage: "submitted" }, { after: decodeDealCursor(small.next) }, 7);
    expect([...small.rows, ...rest.rows].every((r) => r.stage === "submitted")).toBe(true);
    expect(rest.rows[0]!.submittedAt.getTime()).toBeLessThan(small.rows[6]!.submittedAt.getTime());

    expect(listPartnerDeals(db, partner.id, { stage: "approved" }).total).toBe(4);
    expect(listPartnerDeals(db, partner.id, { from: "2031-01-03", to: "2031-01-05" }).total).toBe(3);
    expect(listPartnerDeals(db, partner.id, { q: "Paging Customer 1" }).total).toBe(11); // 1, 10–19
    expect(exportPartnerDeals(db, partner.id, { stage: "approved" })).toHaveLength(4);
  });
});

describe("partnerDealHistory", () => {
  it("names colleagues, calls staff 'Partner team', and shows no emails, other partners or raw values", () => {
    const a = createPartnerWithUser(db, "Zeta Historians");
    const colleague = createUser(db, { role: "partner_admin", partnerId: a.partner.id, name: "Cora Colleague" });
    const manager = createUser(db, { role: "partner_manager", name: "Mallory Manager", email: "mallory@vendor.test" });
    const outsider = createPartnerWithUser(db, "Eta Intruders");
    const mine = registerDeal(db, a.who, registrationInput(uniqueDomain("history")));
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

describe("the customer name a partner sees", () => {
  it("is the name that partner typed, never the wording of another partner's registration", () => {
    const a = createPartnerWithUser(db);
    const b = createPartnerWithUser(db);
    const domain = uniqueDomain("shared-name");
    const first = registerDeal(db, a.who, registrationInput(domain, { companyName: "Secret Codename Corp" }));
    const second = registerDeal(
      db,
      b.who,
      registrationInput(domain, { companyName: "Shared Name Ltd", conflictNote: "We met them at a trade show." }),
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

describe("the customer name of a deal from before deals kept it", () => {
  it("comes from the deal's own title, never from the customer record another partner typed", () => {
    const a = createPartnerWithUser(db);
    const b = createPartnerWithUser(db);
    const customer = createCustomer(db, { name: "Codename Legacy Corp", domain: uniqueDomain("legacy-name") });
    createDeal(db, { customerId: customer.id, partnerId: a.partner.id, stage: "rejected" });
    const legacy = createDeal(db, {
      customerId: customer.id,
      partnerId: b.partner.id,
      title: "Legacy Typed Ltd — Analytics",
      productLine: "Analytics",
      customerName: "",
    });
    const odd = createDeal(db, { customerId: customer.id, partnerId: b.partner.id, title: "A title without a product line", customerName: "" });
    expect(getPartnerDeal(db, b.partner.id, legacy.id)!.deal.customer).toBe("Legacy Typed Ltd");
    expect(getPartnerDeal(db, b.partner.id, odd.id)!.deal.customer).toBe("A title without a product line");
    for (const rows of [listPartnerDeals(db, b.partner.id, {}).rows, exportPartnerDeals(db, b.partner.id, {})]) {
      expect(JSON.stringify(rows)).not.toContain("Codename");
    }
    // Searching matches the typed name, not the record's.
    expect(listPartnerDeals(db, b.partner.id, { q: "Codename" }).total).toBe(0);
    expect(listPartnerDeals(db, b.partner.id, { q: "Legacy Typed" }).rows.map((r) => r.id)).toEqual([legacy.id]);
  });
});
