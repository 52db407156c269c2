// Deal registration against a real migrated SQLite file: the claim on a domain, what a partner
// may be told about it, and two processes racing for one domain.
import { spawn } from "node:child_process";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, customers, deals, touches } from "../../db/schema";
import {
  createCustomer,
  createDeal,
  createPartnerWithUser,
  ensureDefaultProgram,
  registrationInput,
} from "../../db/factories";
import { createTestDatabase } from "../../tests/support/db";
import { closeDatabase, type DB } from "../db.server";
import { approveRegistration, checkDomainForPartner, registerDeal, rejectRegistration } from "./deals.server";

const DAY = 86_400_000;

let db: DB;
let file: string;

beforeAll(() => {
  ({ db, file } = createTestDatabase());
  ensureDefaultProgram(db);
});
afterAll(() => closeDatabase(db));

let seq = 0;
const uniqueDomain = (label: string) => `${label}-${++seq}.example.com`;

describe("registerDeal", () => {
  it("creates the customer, the deal holding the claim, the registration touch and the audit event", () => {
    const { partner, user, who } = createPartnerWithUser(db);
    const domain = uniqueDomain("acme");
    const now = new Date("2030-03-01T10:00:00Z");
    const result = registerDeal(db, who, registrationInput(domain), now);
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
    const first = createPartnerWithUser(db, "Alpha Holder");
    const second = createPartnerWithUser(db, "Beta Latecomer");
    const domain = uniqueDomain("contested");
    const held = registerDeal(db, first.who, registrationInput(domain));
    if (held.status !== "registered") throw new Error("first registration failed");

    const answer = registerDeal(db, second.who, registrationInput(domain, { companyName: "ACME Rockets" }));
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
      registrationInput(domain, { conflictNote: "We have worked with their EMEA unit for two years." }),
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
    const { who, partner } = createPartnerWithUser(db);
    const domain = uniqueDomain("twice");
    const first = registerDeal(db, who, registrationInput(domain));
    if (first.status !== "registered") throw new Error("first registration failed");

    expect(checkDomainForPartner(db, partner.id, domain)).toEqual({ status: "own", dealId: first.dealId });
    expect(registerDeal(db, who, registrationInput(domain, { productLine: "Analytics" }))).toEqual({
      status: "needs_confirmation",
      check: { status: "own", dealId: first.dealId },
    });
    const again = registerDeal(
      db,
      who,
      registrationInput(domain, { productLine: "Analytics", conflictNote: "A separate analytics opportunity." }),
    );
    expect(again).toMatchObject({ status: "registered", holdsClaim: false, conflict: true });
  });

  it("treats an existing customer (a won deal in the last 12 months) as already registered", () => {
    const { who, partner } = createPartnerWithUser(db);
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
    expect(registerDeal(db, who, registrationInput(recent.domain), now)).toEqual({
      status: "needs_confirmation",
      check: { status: "already_registered" },
    });
    expect(checkDomainForPartner(db, partner.id, old.domain, now)).toEqual({ status: "free" });
    expect(registerDeal(db, who, registrationInput(old.domain), now)).toMatchObject({ status: "registered", holdsClaim: true });
  });

  it("lets a registration take the claim again once the holder was rejected", () => {
    const first = createPartnerWithUser(db);
    const second = createPartnerWithUser(db);
    const domain = uniqueDomain("released");
    const held = registerDeal(db, first.who, registrationInput(domain));
    if (held.status !== "registered") throw new Error("first registration failed");
    rejectRegistration(db, "system", held.dealId, "Duplicate of a direct opportunity.");
    expect(checkDomainForPartner(db, second.partner.id, domain)).toEqual({ status: "free" });
    expect(registerDeal(db, second.who, registrationInput(domain))).toMatchObject({ status: "registered", holdsClaim: true });
  });
});

describe("approveRegistration", () => {
  it("approves a flagged registration once the holder's protection ran out, before the daily job expired it", () => {
    const holder = createPartnerWithUser(db);
    const other = createPartnerWithUser(db);
    const domain = uniqueDomain("lapsed-approval");
    const start = new Date("2031-01-01T00:00:00Z");
    const held = registerDeal(db, holder.who, registrationInput(domain), start);
    if (held.status !== "registered") throw new Error("registration failed");
    approveRegistration(db, "system", held.dealId, start);
    const flagged = registerDeal(db, other.who, registrationInput(domain, { conflictNote: "They asked us directly." }), new Date(start.getTime() + 10 * DAY));
    if (flagged.status !== "registered") throw new Error("second registration failed");
    expect(flagged.holdsClaim).toBe(false);

    // While the holder's protection runs, the approval is refused with the reason.
    expect(() => approveRegistration(db, "system", flagged.dealId, new Date(start.getTime() + 20 * DAY))).toThrow(/holds this account/);
    // After it ran out (the holder is still 'approved': the daily job has not run), it goes through.
    const later = new Date(start.getTime() + 91 * DAY);
    expect(approveRegistration(db, "system", flagged.dealId, later).protectionEndsAt.getTime()).toBeGreaterThan(later.getTime());
    const claim = (id: number) => db.select({ holdsClaim: deals.holdsClaim, stage: deals.stage }).from(deals).where(eq(deals.id, id)).get();
    expect(claim(flagged.dealId)).toEqual({ holdsClaim: true, stage: "approved" });
    expect(claim(held.dealId)).toEqual({ holdsClaim: false, stage: "approved" });
  });
});

describe("checkDomainForPartner", () => {
  it("says free, own or already registered, and never who holds it", () => {
    const holder = createPartnerWithUser(db, "Gamma Secretive");
    const other = createPartnerWithUser(db);
    const domain = uniqueDomain("secret");
    expect(checkDomainForPartner(db, other.partner.id, domain)).toEqual({ status: "free" });
    const held = registerDeal(db, holder.who, registrationInput(domain));
    if (held.status !== "registered") throw new Error("registration failed");
    approveRegistration(db, "system", held.dealId);

    const answer = checkDomainForPartner(db, other.partner.id, domain);
    expect(answer).toEqual({ status: "already_registered" });
    expect(Object.keys(answer)).toEqual(["status"]);
    expect(checkDomainForPartner(db, holder.partner.id, domain)).toEqual({ status: "own", dealId: held.dealId });
  });

  it("frees a domain whose protection ran out", () => {
    const holder = createPartnerWithUser(db);
    const other = createPartnerWithUser(db);
    const domain = uniqueDomain("lapsed");
    const start = new Date("2030-01-01T00:00:00Z");
    const held = registerDeal(db, holder.who, registrationInput(domain), start);
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
    const a = createPartnerWithUser(db);
    const b = createPartnerWithUser(db);
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
