// MDF requests and claims against a real migrated database and real files: the tier allowance
// per quarter, the states and their audit trail, proof files checked by their bytes, another
// partner's request never reachable, and the emails to the partner's admins.
import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDeal, createPartner, createUser, ensureDefaultProgram } from "../../db/factories";
import { auditEvents, mdfProofFiles, mdfRequests, tiers } from "../../db/schema";
import { createTestDatabase } from "../../tests/support/db";
import { createTestMailer } from "../../tests/support/mail";
import { closeDatabase, type DB } from "../db.server";
import { listOutbox } from "../mailer.server";
import { actorOf } from "./audit.server";
import { queueMessage } from "../mail/outbox.server";
import { outboxMessages } from "../../db/schema";
import { mdfClaimReturnedMessage, notifyMdfDecided, notifyMdfPaid } from "./mdf-notifications.server";
import {
  approveClaim,
  claimMdf,
  decideMdf,
  getPartnerMdf,
  getProofFile,
  linkableDeals,
  MdfError,
  mdfBudget,
  proofFileType,
  requestMdf,
  returnClaim,
} from "./mdf.server";
import { LINKABLE_DEALS } from "./mdf";

const NOW = new Date("2026-04-10T09:00:00Z");
const PDF = new TextEncoder().encode("%PDF-1.4\n% proof\n");
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);

let db: DB;
let file: string;
let folder: string;
beforeEach(() => {
  ({ db, file } = createTestDatabase());
  folder = path.join(path.dirname(file), `proofs-${path.basename(file)}`);
  const { tiers: ladder } = ensureDefaultProgram(db);
  // Silver: $5,000 a quarter.
  expect(ladder.find((t) => t.name === "Silver")!.mdfQuarterCents).toBe(500_000);
});
afterEach(() => closeDatabase(db));

function world() {
  const silver = db.select().from(tiers).where(eq(tiers.name, "Silver")).get()!;
  const alpha = createPartner(db, { name: "Alpha", slug: "alpha", tierId: silver.id });
  const beta = createPartner(db, { name: "Beta", slug: "beta", tierId: silver.id });
  const admin = createUser(db, { role: "partner_admin", partnerId: alpha.id, email: "admin@alpha.test" });
  createUser(db, { role: "partner_admin", partnerId: beta.id, email: "admin@beta.test" });
  const manager = actorOf(createUser(db, { role: "partner_manager", email: "mia@vendor.test" }));
  return { alpha, beta, admin: actorOf(admin), manager };
}

const input = (amount: string, plannedOn = "2026-05-20") => ({ activityType: "market", title: "Joint webinar", plannedOn, amount, expectedOutcome: "40 leads" });

function errorOf(fn: () => unknown): MdfError {
  try {
    fn();
  } catch (e) {
    if (e instanceof MdfError) return e;
    throw e;
  }
  throw new Error("expected an MdfError");
}

describe("requests within the tier allowance", () => {
  it("approves up to the quarter's allowance and refuses the rest with what is left", () => {
    const { alpha, admin, manager } = world();
    const first = requestMdf(db, admin, alpha.id, input("3,000"), NOW);
    decideMdf(db, manager, first, { approve: true }, NOW);
    expect(mdfBudget(db, alpha.id, "2026-Q2")).toMatchObject({ allowanceCents: 500_000, committedCents: 300_000, remainingCents: 200_000 });

    const tooMuch = errorOf(() => requestMdf(db, admin, alpha.id, input("2500"), NOW));
    expect(tooMuch.problems.amount).toMatch(/Silver allowance for 2026-Q2 has 2,000.00 left/);
    // Another quarter has its own allowance.
    expect(requestMdf(db, admin, alpha.id, input("5000", "2026-07-15"), NOW)).toBeGreaterThan(0);

    // Two requests each within the balance: the manager cannot approve both.
    const a = requestMdf(db, admin, alpha.id, input("1500"), NOW);
    const b = requestMdf(db, admin, alpha.id, input("1500"), NOW);
    decideMdf(db, manager, a, { approve: true }, NOW);
    const over = errorOf(() => decideMdf(db, manager, b, { approve: true }, NOW));
    expect(over.status).toBe(409);
    expect(over.message).toMatch(/exceed the partner's Silver allowance for 2026-Q2: 500.00 of 5,000.00 left/);
    expect(db.select().from(mdfRequests).where(eq(mdfRequests.id, b)).get()!.status).toBe("requested");
  });

  it("says what to fix in a bad request and saves nothing", () => {
    const { alpha, admin } = world();
    const e = errorOf(() => requestMdf(db, admin, alpha.id, { activityType: "party", title: " ", plannedOn: "2026-02-30", amount: "-5", expectedOutcome: "" }, NOW));
    expect(Object.keys(e.problems).sort()).toEqual(["activityType", "amount", "expectedOutcome", "plannedOn", "title"]);
    expect(errorOf(() => requestMdf(db, admin, alpha.id, input("100", "2026-01-01"), NOW)).problems.plannedOn).toMatch(/in the past/);
    expect(db.select().from(mdfRequests).all()).toHaveLength(0);
  });

  it("needs a reason to reject", () => {
    const { alpha, admin, manager } = world();
    const id = requestMdf(db, admin, alpha.id, input("100"), NOW);
    expect(errorOf(() => decideMdf(db, manager, id, { approve: false, reason: " " }, NOW)).problems.reason).toBeTruthy();
    decideMdf(db, manager, id, { approve: false, reason: "No target accounts named." }, NOW);
    expect(getPartnerMdf(db, alpha.id, id)).toMatchObject({ status: "rejected", rejectionReason: "No target accounts named." });
  });
});

describe("the registrations a claim can link", () => {
  it("are the partner's own, not rejected, submitted from a month before the activity on, newest first, bounded", () => {
    const { alpha, beta } = world();
    const at = (iso: string) => new Date(iso);
    const tooEarly = createDeal(db, { partnerId: alpha.id, stage: "approved", submittedAt: at("2026-04-15T10:00:00Z") });
    const early = createDeal(db, { partnerId: alpha.id, stage: "won", submittedAt: at("2026-04-25T10:00:00Z") });
    const after = createDeal(db, { partnerId: alpha.id, stage: "submitted", submittedAt: at("2026-05-22T10:00:00Z") });
    createDeal(db, { partnerId: alpha.id, stage: "rejected", submittedAt: at("2026-05-21T10:00:00Z") });
    createDeal(db, { partnerId: beta.id, stage: "approved", submittedAt: at("2026-05-21T10:00:00Z") });
    // Planned for 2026-05-20: from 2026-04-20 on.
    expect(linkableDeals(db, alpha.id, "2026-05-20").map((d) => d.id)).toEqual([after.id, early.id]);
    expect(linkableDeals(db, alpha.id, "2026-05-20").map((d) => d.id)).not.toContain(tooEarly.id);
    for (let i = 0; i < LINKABLE_DEALS + 5; i++) createDeal(db, { partnerId: alpha.id, stage: "approved", submittedAt: at("2026-05-01T10:00:00Z") });
    expect(linkableDeals(db, alpha.id, "2026-05-20")).toHaveLength(LINKABLE_DEALS);
  });
});

describe("claims", () => {
  it("claims with proof and linked deals, is approved for payment, with an audit trail and emails", async () => {
    const { alpha, beta, admin, manager } = world();
    const deal = createDeal(db, { partnerId: alpha.id, stage: "approved" });
    const betaDeal = createDeal(db, { partnerId: beta.id, stage: "approved" });
    const id = requestMdf(db, admin, alpha.id, input("2000"), NOW);
    decideMdf(db, manager, id, { approve: true }, NOW);

    // Another partner's registration cannot be linked; the written file is removed again.
    const foreign = errorOf(() => claimMdf(db, admin, alpha.id, id, { amount: "1800", leads: "12", results: "Webinar, 60 attendees", dealIds: [betaDeal.id] }, [{ fileName: "invoice.pdf", bytes: PDF }], folder, NOW));
    expect(foreign.problems.dealIds).toBeTruthy();
    expect(fs.readdirSync(folder)).toHaveLength(0);
    // Beta cannot claim Alpha's request: not found.
    expect(errorOf(() => claimMdf(db, admin, beta.id, id, { amount: "1", leads: "", results: "x", dealIds: [] }, [{ fileName: "a.pdf", bytes: PDF }], folder, NOW)).status).toBe(404);
    // More than approved.
    expect(errorOf(() => claimMdf(db, admin, alpha.id, id, { amount: "2000.01", leads: "1", results: "x", dealIds: [] }, [{ fileName: "a.pdf", bytes: PDF }], folder, NOW)).problems.amount).toMatch(/2,000.00 was approved/);

    claimMdf(db, admin, alpha.id, id, { amount: "1800", leads: "12", results: "Webinar, 60 attendees", dealIds: [deal.id] }, [{ fileName: "../invoice.pdf", bytes: PDF }, { fileName: "photo.png", bytes: PNG }], folder, NOW);
    const claimed = getPartnerMdf(db, alpha.id, id)!;
    expect(claimed).toMatchObject({ status: "claimed", claimedCents: 180_000, claimLeads: 12 });
    expect(claimed.linked.map((d) => d.id)).toEqual([deal.id]);
    expect(claimed.proofs.map((p) => [p.fileName, p.contentType])).toEqual([["invoice.pdf", "application/pdf"], ["photo.png", "image/png"]]);
    const stored = db.select().from(mdfProofFiles).all();
    expect(fs.readFileSync(path.join(folder, stored[0]!.storedName))).toEqual(Buffer.from(PDF));
    // Served only within the partner (or to staff: partnerId null).
    expect(getProofFile(db, { partnerId: beta.id }, id, claimed.proofs[0]!.id)).toBeNull();
    expect(getProofFile(db, { partnerId: null }, id, claimed.proofs[0]!.id)?.contentType).toBe("application/pdf");
    expect(getPartnerMdf(db, beta.id, id)).toBeNull();

    approveClaim(db, manager, id, NOW);
    // The paid amount, not the approved one, counts against the allowance.
    expect(mdfBudget(db, alpha.id, "2026-Q2")).toMatchObject({ committedCents: 180_000, paidCents: 180_000, remainingCents: 320_000 });
    expect(errorOf(() => approveClaim(db, manager, id, NOW)).status).toBe(409);
    const trail = db.select({ action: auditEvents.action }).from(auditEvents).where(eq(auditEvents.entityType, "mdf_request")).all();
    expect(trail.map((t) => t.action)).toEqual(["mdf.requested", "mdf.approved", "mdf.claimed", "mdf.paid"]);

    const { mailer, outboxDir } = createTestMailer();
    const ctx = { db, mailer, config: { APP_URL: "http://portal.test" } };
    expect((await notifyMdfPaid(ctx, id)).to).toEqual(["admin@alpha.test"]);
    expect(await notifyMdfDecided(ctx, id)).toEqual({ sent: false, to: [] });
    const [mail] = listOutbox(outboxDir);
    expect(mail!.subject).toBe("MDF claim approved: Joint webinar");
    expect(mail!.text).toContain("$1,800 ");
    expect(mail!.text).toContain(`http://portal.test/mdf/${id}`);
  });

  it("refuses a file that is not a PDF, PNG or JPEG whatever its name says", () => {
    const { alpha, admin, manager } = world();
    const id = requestMdf(db, admin, alpha.id, input("100"), NOW);
    decideMdf(db, manager, id, { approve: true }, NOW);
    const e = errorOf(() => claimMdf(db, admin, alpha.id, id, { amount: "100", leads: "0", results: "Done", dealIds: [] }, [{ fileName: "invoice.pdf", bytes: new TextEncoder().encode("<html>") }], folder, NOW));
    expect(e.problems.proof).toMatch(/“invoice.pdf” is not a PDF, PNG or JPEG/);
    expect(proofFileType(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))?.contentType).toBe("image/jpeg");
    expect(getPartnerMdf(db, alpha.id, id)!.status).toBe("approved");
  });

  it("returns a claim for changes with a reason: the partner keeps the approved amount and claims again with new proof", () => {
    const { alpha, admin, manager } = world();
    const deal = createDeal(db, { partnerId: alpha.id, stage: "approved" });
    const id = requestMdf(db, admin, alpha.id, input("2000"), NOW);
    decideMdf(db, manager, id, { approve: true }, NOW);
    claimMdf(db, admin, alpha.id, id, { amount: "1800", leads: "12", results: "Webinar", dealIds: [deal.id] }, [{ fileName: "invoice.pdf", bytes: PDF }], folder, NOW);

    // A reason is required; nothing changes without one.
    expect(errorOf(() => returnClaim(db, manager, id, "  ", NOW)).problems.reason).toMatch(/what to change/);
    expect(getPartnerMdf(db, alpha.id, id)!.status).toBe("claimed");
    // Only a claim awaiting approval can be returned.
    const other = requestMdf(db, admin, alpha.id, input("100"), NOW);
    expect(errorOf(() => returnClaim(db, manager, other, "No invoice.", NOW)).status).toBe(409);

    const RETURNED = new Date("2026-06-02T10:00:00Z");
    returnClaim(db, manager, id, "The invoice is missing: attach it.", RETURNED);
    const returned = getPartnerMdf(db, alpha.id, id)!;
    expect(returned).toMatchObject({ status: "approved", claimReturnReason: "The invoice is missing: attach it.", claimedCents: null, claimLeads: null, claimResults: null, claimedAt: null });
    expect(returned.linked).toEqual([]);
    // The earlier proof stays listed; the approved amount stays committed in the quarter.
    expect(returned.proofs.map((p) => p.fileName)).toEqual(["invoice.pdf"]);
    expect(mdfBudget(db, alpha.id, "2026-Q2")).toMatchObject({ committedCents: 200_000, paidCents: 0 });
    // It cannot be paid in this state.
    expect(errorOf(() => approveClaim(db, manager, id, NOW)).status).toBe(409);

    // The partner's email is queued under an identity of this return: queued once only.
    const message = mdfClaimReturnedMessage({ db, config: { APP_URL: "http://portal.test" } } as never, id)!;
    expect(message.to).toEqual(["admin@alpha.test"]);
    expect(message.subject).toBe("MDF claim returned for changes: Joint webinar");
    expect(message.text).toContain("The invoice is missing: attach it.");
    expect(message.identity).toEqual({ kind: "mdf-claim-returned", key: `${id}.${RETURNED.getTime()}`, partnerId: alpha.id });
    expect(queueMessage(db, message)).toBe(true);
    expect(queueMessage(db, mdfClaimReturnedMessage({ db, config: { APP_URL: "http://portal.test" } } as never, id))).toBe(true);
    expect(db.select().from(outboxMessages).where(eq(outboxMessages.kind, "mdf-claim-returned")).all()).toHaveLength(1);

    // Claim again with new proof: the return reason is cleared, then paid.
    claimMdf(db, admin, alpha.id, id, { amount: "1900", leads: "14", results: "Webinar, with invoice", dealIds: [deal.id] }, [{ fileName: "invoice-2.png", bytes: PNG }], folder, NOW);
    expect(getPartnerMdf(db, alpha.id, id)).toMatchObject({ status: "claimed", claimedCents: 190_000, claimReturnReason: null });
    expect(getPartnerMdf(db, alpha.id, id)!.proofs.map((p) => p.fileName)).toEqual(["invoice.pdf", "invoice-2.png"]);
    expect(mdfClaimReturnedMessage({ db, config: { APP_URL: "http://portal.test" } } as never, id)).toBeNull();
    approveClaim(db, manager, id, NOW);
    const trail = db.select({ action: auditEvents.action, before: auditEvents.before }).from(auditEvents).where(eq(auditEvents.entityId, String(id))).all();
    expect(trail.map((t) => t.action)).toEqual(["mdf.requested", "mdf.approved", "mdf.claimed", "mdf.claim_returned", "mdf.claimed", "mdf.paid"]);
    expect(JSON.stringify(trail[3]!.before)).toContain("180000");
  });

  it("claims once for a repeated submission of the same form (idempotency key)", () => {
    const { alpha, admin, manager } = world();
    const key = { actor: "admin", form: "mdf.request", token: "a-token-of-the-form-0001" };
    const first = requestMdf(db, admin, alpha.id, input("500"), NOW, key);
    expect(requestMdf(db, admin, alpha.id, input("500"), NOW, key)).toBe(first);
    expect(db.select().from(mdfRequests).all()).toHaveLength(1);
    decideMdf(db, manager, first, { approve: true }, NOW);
    const claimKey = { actor: "admin", form: "mdf.claim", token: "a-token-of-the-form-0002" };
    const claim = () => claimMdf(db, admin, alpha.id, first, { amount: "400", leads: "1", results: "Done", dealIds: [] }, [{ fileName: "a.pdf", bytes: PDF }], folder, NOW, claimKey);
    expect(claim()).toEqual({ claimedCents: 40_000 });
    expect(claim()).toEqual({ claimedCents: 40_000 });
    expect(db.select().from(mdfProofFiles).all()).toHaveLength(1);
    expect(fs.readdirSync(folder)).toHaveLength(1);
  });
});
