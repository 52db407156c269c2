// The attribution page's deal table is keyset-paged on (closed_at, deal id) over the rollup rows
// of partner_deal_credits: walking it forward and back lists exactly the engine's deals in the
// engine's order, and a cursor only says where to start, never whose deals.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDeal, createPartner, createTouch, ensureDefaultProgram } from "../../db/factories";
import type { Partner } from "../../db/schema";
import { createTestDatabase } from "../../tests/support/db";
import { closeDatabase, type DB } from "../db.server";
import {
  attributionDealPage,
  DEALS_PER_PAGE,
  encodeDealCursor,
  partnerAttribution,
  partnerAttributionSummary,
  type DealPage,
} from "./partner-attribution.server";

const DAY = 86_400_000;
const AS_OF = new Date("2025-06-15T12:00:00Z");
const TTM = { kind: "ttm", value: null } as const;

let db: DB;
let alpha: Partner;
let beta: Partner;
const betaDeals: { id: number; closedAt: number }[] = [];

function won(registeredBy: Partner | null, closedAt: number, amountCents: number, touchedBy: Partner[]) {
  const deal = createDeal(db, {
    partnerId: registeredBy?.id ?? null,
    stage: "won",
    amountCents,
    submittedAt: new Date(closedAt - 30 * DAY),
    closedAt: new Date(closedAt),
  });
  touchedBy.forEach((p, i) => createTouch(db, { dealId: deal.id, partnerId: p.id, occurredAt: new Date(closedAt - (i + 2) * DAY) }));
  return deal;
}

beforeAll(() => {
  ({ db } = createTestDatabase());
  ensureDefaultProgram(db);
  alpha = createPartner(db, { name: "Alpha", slug: "alpha" });
  beta = createPartner(db, { name: "Beta", slug: "beta" });
  // 61 deals for alpha: registered, influenced and $0 ones (beta's registrations alpha touched),
  // several closing at the same instant so the id breaks ties.
  for (let i = 0; i < 61; i++) {
    const closedAt = AS_OF.getTime() - (5 + Math.floor(i / 3)) * DAY;
    if (i % 4 === 3) won(beta, closedAt, 10_000 + i, [alpha]);
    else won(alpha, closedAt, 100_000 + i, i % 2 ? [beta] : []);
  }
  // Deals alpha has nothing to do with, interleaved in time.
  for (let i = 0; i < 30; i++) {
    const d = won(beta, AS_OF.getTime() - (6 + i) * DAY + 3_600_000, 55_000, [beta]);
    betaDeals.push({ id: d.id, closedAt: d.closedAt!.getTime() });
  }
});
afterAll(() => closeDatabase(db));

function walk(partner: Partner, query: string) {
  const summary = partnerAttributionSummary(db, partner.id, TTM, AS_OF);
  const pages: DealPage[] = [attributionDealPage(db, partner.id, summary, new URLSearchParams(query))];
  while (pages.at(-1)!.next) {
    const params = new URLSearchParams(query);
    params.set("after", pages.at(-1)!.next!);
    pages.push(attributionDealPage(db, partner.id, summary, params));
  }
  return { summary, pages };
}

describe("attributionDealPage", () => {
  it("walks forward through exactly the engine's deals, newest first, 25 a page", () => {
    const engine = partnerAttribution(db, alpha.id, TTM, AS_OF).deals;
    for (const query of ["zero=show", ""]) {
      const expected = query ? engine : engine.filter((d) => d.credit[partnerAttributionSummary(db, alpha.id, TTM, AS_OF).model] > 0);
      const { pages } = walk(alpha, query);
      expect(pages.map((p) => p.deals.length)).toEqual(
        Array.from({ length: Math.ceil(expected.length / DEALS_PER_PAGE) }, (_, i) =>
          Math.min(DEALS_PER_PAGE, expected.length - i * DEALS_PER_PAGE)
        )
      );
      expect(pages.flatMap((p) => p.deals)).toEqual(expected);
      expect(pages.every((p) => p.total === expected.length)).toBe(true);
      expect(pages[0]!.prev).toBeNull();
    }
  });

  it("walks back with the previous-page cursors to the same pages", () => {
    const { summary, pages } = walk(alpha, "zero=show");
    expect(pages.length).toBeGreaterThanOrEqual(3);
    let page = pages.at(-1)!;
    for (let i = pages.length - 2; i >= 0; i--) {
      page = attributionDealPage(db, alpha.id, summary, new URLSearchParams({ zero: "show", before: page.prev! }));
      expect(page.deals).toEqual(pages[i]!.deals);
    }
    expect(page.prev).toBeNull();
  });

  it("never reaches another partner's deals through a forged cursor", () => {
    const summary = partnerAttributionSummary(db, alpha.id, TTM, AS_OF);
    const alphaIds = new Set(partnerAttribution(db, alpha.id, TTM, AS_OF).deals.map((d) => d.dealId));
    const forged = [
      ...betaDeals.map((d) => encodeDealCursor({ closedAt: d.closedAt, dealId: d.id })),
      encodeDealCursor({ closedAt: 0, dealId: 0 }),
      encodeDealCursor({ closedAt: 999_999_999_999_999, dealId: 999_999_999_999_999 }),
    ];
    let listed = 0;
    for (const cursor of forged) {
      for (const dir of ["after", "before"]) {
        const page = attributionDealPage(db, alpha.id, summary, new URLSearchParams({ zero: "show", [dir]: cursor }));
        for (const d of page.deals) expect(alphaIds.has(d.dealId), `deal ${d.dealId} via ${dir}=${cursor}`).toBe(true);
        listed += page.deals.length;
      }
    }
    expect(listed).toBeGreaterThan(0);
    expect(JSON.stringify(attributionDealPage(db, alpha.id, summary, new URLSearchParams({ zero: "show", after: forged[0]! })))).not.toContain("Beta");
  });
});
