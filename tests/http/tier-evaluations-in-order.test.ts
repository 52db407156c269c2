// Evaluations in order (issue 13, item 1): "running the tier evaluation for September after
// October was evaluated emailed five partners 'your tier is at risk (September evaluation)' …
// and created upgrade proposals a newer evaluation superseded; one click approved one". A month
// older than the latest evaluated one is a read-only preview, the page says so before it runs,
// and a proposal a newer evaluation superseded is refused, one by one and in bulk. Through real
// HTTP against the built server.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addMonths, lastCompletedPeriod, periodEnd, periodLabel } from "../../app/domain/periods";
import { listOutbox } from "../../app/mailer.server";
import { createDeal, createPartner, createUser } from "../../db/factories";
import { partners, tierEvaluations, tierReviews, tiers } from "../../db/schema";
import { TEST_PASSWORD } from "../support/db";
import { Client, startTestServer, type TestServer } from "../support/server";
import { createWorld, type World } from "../support/world";

const DAY = 86_400_000;
let server: TestServer;
let world: World;
let admin: Client;
const latest = lastCompletedPeriod(new Date());
const older = addMonths(latest, -1);
const atRisk: { id: number; admin: string }[] = [];
let rising: { id: number; admin: string };

const tierId = (name: string) => server.db.select().from(tiers).where(eq(tiers.name, name)).get()!.id;
const reviewsOf = (partnerId: number) =>
  server.db.select().from(tierReviews).where(eq(tierReviews.partnerId, partnerId)).all();
const evaluationsOf = (period: string) =>
  server.db.select().from(tierEvaluations).where(eq(tierEvaluations.period, period)).all();
const mailTo = (address: string) => listOutbox(server.outboxDir).filter((m) => m.to.includes(address));

beforeAll(async () => {
  server = await startTestServer();
  world = await createWorld(server.db);
  admin = new Client(server.url);
  await admin.signIn(world.admin.email, TEST_PASSWORD);
  // Five Gold partners with no won deals: both months find them below Gold.
  for (let i = 1; i <= 5; i++) {
    const p = createPartner(server.db, { name: `Golden ${i}`, slug: `golden-${i}`, tierId: tierId("Gold") });
    const a = createUser(server.db, { role: "partner_admin", partnerId: p.id, email: `admin@golden-${i}.test` });
    atRisk.push({ id: p.id, admin: a.email });
  }
  // A Registered partner with three wins before both months' ends: qualifies for Silver.
  const p = createPartner(server.db, { name: "Rising Star", slug: "rising-star" });
  const a = createUser(server.db, { role: "partner_admin", partnerId: p.id, email: "admin@rising-star.test" });
  const end = periodEnd(older).getTime();
  for (const days of [40, 60, 80]) {
    const close = new Date(end - days * DAY);
    createDeal(
      server.db,
      {
        partnerId: p.id,
        stage: "won",
        amountCents: 2_000_000,
        submittedAt: new Date(close.getTime() - 30 * DAY),
        decidedAt: new Date(close.getTime() - 28 * DAY),
        closedAt: close,
      },
      { now: close }
    );
  }
  rising = { id: p.id, admin: a.email };
});
afterAll(() => server.close());

/** The page's text as read: React's markers between adjacent text nodes removed. */
const textOf = (html: string) => html.replaceAll("<!-- -->", "");
const evaluate = (period: string) => admin.post("/internal/tier-reviews", { intent: "evaluate", period });

describe(`${periodLabel(older)} evaluated after ${periodLabel(latest)}`, () => {
  it("the latest month evaluates, warns the five partners and proposes the upgrade", async () => {
    const res = await evaluate(latest);
    expect(res.status).toBe(200);
    for (const p of atRisk) expect(mailTo(p.admin)).toHaveLength(1);
    expect(reviewsOf(rising.id)).toEqual([expect.objectContaining({ period: latest, status: "pending" })]);
    // The partner team turns the upgrade down.
    const review = reviewsOf(rising.id)[0];
    const reject = await admin.post("/internal/tier-reviews", {
      intent: "decide",
      reviewId: String(review.id),
      decision: "reject",
      note: "Wait for the renewal numbers.",
    });
    expect(reject.status).toBe(200);
  });

  it("says before it runs that an older month is a read-only preview", async () => {
    const html = textOf(await (await admin.get("/internal/tier-reviews")).text());
    expect(html).toContain(`${periodLabel(latest)} is the latest evaluated month`);
    expect(html).toContain("runs as a read-only preview");
    expect(html).toContain(`${periodLabel(older)} (preview only)`);
  });

  it("the older month emails nobody, records nothing and opens no proposal", async () => {
    const mailsBefore = listOutbox(server.outboxDir).length;
    const res = await evaluate(older);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("preview only: nothing was recorded, proposed or emailed");
    expect(textOf(html)).toContain("5 below their tier");
    expect(listOutbox(server.outboxDir)).toHaveLength(mailsBefore);
    for (const p of atRisk) expect(mailTo(p.admin)).toHaveLength(1);
    expect(evaluationsOf(older)).toEqual([]);
    expect(reviewsOf(rising.id)).toEqual([expect.objectContaining({ period: latest, status: "rejected" })]);
  });
});

describe("a proposal a newer evaluation superseded", () => {
  /** A pending upgrade of `older` (as the unfixed run left behind) and the newer evaluation that keeps the partner. */
  function supersededProposal(slug: string) {
    const p = createPartner(server.db, { name: `Superseded ${slug}`, slug });
    const snapshot = evaluationsOf(latest).find((e) => e.partnerId === rising.id)!.metrics;
    const review = server.db
      .insert(tierReviews)
      .values({
        partnerId: p.id,
        period: older,
        fromTierId: p.tierId,
        toTierId: tierId("Silver"),
        direction: "upgrade",
        metrics: snapshot,
      })
      .returning()
      .get();
    server.db
      .insert(tierEvaluations)
      .values({
        partnerId: p.id,
        period: latest,
        currentTierId: p.tierId,
        qualifyingTierId: p.tierId,
        outcome: "hold",
        metrics: snapshot,
      })
      .run();
    return { partnerId: p.id, reviewId: review.id };
  }
  const tierOf = (id: number) => server.db.select().from(partners).where(eq(partners.id, id)).get()!.tierId;

  it("is refused with the reason when approved", async () => {
    const s = supersededProposal("superseded-one");
    const page = textOf(await (await admin.get("/internal/tier-reviews")).text());
    expect(page).toContain(`Out of date: the newer ${periodLabel(latest)} evaluation`);
    const res = await admin.post("/internal/tier-reviews", {
      intent: "decide",
      reviewId: String(s.reviewId),
      decision: "approve",
    });
    expect(res.status).toBe(409);
    const html = textOf(await res.text());
    expect(html).toContain(`This proposal is out of date: the newer ${periodLabel(latest)} evaluation keeps the partner on Registered`);
    expect(tierOf(s.partnerId)).toBe(tierId("Registered"));
    expect(reviewsOf(s.partnerId)[0].status).toBe("pending");
  });

  it("is refused with the reason in a bulk approval", async () => {
    const s = supersededProposal("superseded-bulk");
    const res = await admin.post("/internal/tier-reviews", { intent: "bulk-approve", reviewId: String(s.reviewId) });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Not approved:");
    expect(textOf(html)).toContain(`Superseded superseded-bulk: This proposal is out of date`);
    expect(tierOf(s.partnerId)).toBe(tierId("Registered"));
  });
});
