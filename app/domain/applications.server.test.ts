import { and, count, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { auditEvents, invitations, partnerApplications, partners, users } from "../../db/schema";
import { createPartner, createTier, createUser, ensureDefaultProgram } from "../../db/factories";
import { createTestDatabase } from "../../tests/support/db";
import { createTestMailer } from "../../tests/support/mail";
import { closeDatabase, openDatabase, type DB } from "../db.server";
import { listOutbox, type Mailer } from "../mailer.server";
import { deliverQueued } from "../mail/outbox.server";
import {
  ApplicationError,
  approveApplication,
  declineApplication,
  listApplications,
  possibleDuplicates,
  submitApplication,
  type ApplicationInput,
} from "./applications.server";

let db: DB;
let file: string;
let outboxDir: string;
let mailer: Mailer;
const config = { APP_URL: "http://portal.test" };
const ctx = () => ({ db, mailer, config });

beforeEach(() => {
  ({ db, file } = createTestDatabase());
  ensureDefaultProgram(db);
  ({ mailer, outboxDir } = createTestMailer());
});

afterEach(() => {
  closeDatabase(db);
});

function application(overrides: Partial<ApplicationInput> = {}): ApplicationInput {
  // One company per contact's domain: one pending application per domain is the rule.
  const contactEmail = overrides.contactEmail ?? "ann@acme.example";
  return {
    companyName: "Acme Consulting",
    website: contactEmail.split("@")[1]!.toLowerCase(),
    kind: "agency",
    region: "EMEA",
    contactName: "Ann Acme",
    contactEmail: "ann@acme.example",
    message: "We implement CRMs for mid-market clients.",
    ...overrides,
  };
}

function submit(input: ApplicationInput, now?: Date) {
  const submitted = submitApplication(db, input, { now });
  if (submitted.replayed) throw new Error("a first submission cannot be a replay");
  return submitted.application;
}

const staff = () => {
  const admin = createUser(db, { role: "admin", name: "Ada Admin", email: "ada@vendor.test" });
  const manager = createUser(db, { role: "partner_manager", name: "Mia Manager", email: "mia@vendor.test" });
  return { admin, manager };
};

const countOf = (table: typeof partners | typeof invitations | typeof auditEvents) =>
  db.select({ n: count() }).from(table).get()!.n;

describe("approveApplication", () => {
  it("creates one active partner at the lowest tier, invites the contact and records it all", async () => {
    const { manager } = staff();
    // Added after the default ladder: the lowest rank wins, not the lowest id.
    const lowest = createTier(db, { name: "Starter", rank: -1 });
    const { id } = submit(application());

    const result = await approveApplication(ctx(), manager, id);

    const created = db.select().from(partners).all();
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({
      id: result.partner.id,
      name: "Acme Consulting",
      slug: "acme-consulting",
      kind: "agency",
      region: "EMEA",
      website: "acme.example",
      status: "active",
      tierId: lowest.id,
      managerId: manager.id,
      joinedOn: new Date().toISOString().slice(0, 10),
    });

    const app = db.select().from(partnerApplications).where(eq(partnerApplications.id, id)).get()!;
    expect(app).toMatchObject({ status: "approved", decidedBy: manager.id, partnerId: result.partner.id });
    expect(app.decidedAt).toBeInstanceOf(Date);

    const invitation = db.select().from(invitations).get()!;
    expect(invitation).toMatchObject({
      email: "ann@acme.example",
      name: "Ann Acme",
      role: "partner_admin",
      partnerId: result.partner.id,
      invitedBy: manager.id,
    });

    const actions = db
      .select({ action: auditEvents.action, actorId: auditEvents.actorId, partnerId: auditEvents.partnerId })
      .from(auditEvents)
      .all();
    expect(actions.map((a) => a.action).sort()).toEqual(["application.approved", "invitation.created", "partner.created"]);
    expect(actions.every((a) => a.actorId === manager.id && a.partnerId === result.partner.id)).toBe(true);

    expect(result.invitationSent).toBe(true);
    const mail = listOutbox(outboxDir);
    expect(mail).toHaveLength(1);
    expect(mail[0]!.to).toEqual(["ann@acme.example"]);
    expect(mail[0]!.text).toContain("http://portal.test/invite/");
  });

  it("gives each partner a unique ASCII slug: -2, -3 on collision", async () => {
    const { admin } = staff();
    createPartner(db, { name: "Ærø Systems (old)", slug: "aero-systems" });
    const slugs = [];
    for (const n of [1, 2]) {
      const { id } = submit(application({ companyName: "Ærø Systems", contactEmail: `c${n}@aero.example` }));
      slugs.push((await approveApplication(ctx(), admin, id)).partner.slug);
    }
    expect(slugs).toEqual(["aero-systems-2", "aero-systems-3"]);
    const { id } = submit(application({ companyName: "株式会社", contactEmail: "kk@jp.example" }));
    expect((await approveApplication(ctx(), admin, id)).partner.slug).toBe("partner");
  });

  it("assigns the approving partner manager, or the manager an admin picks, or nobody", async () => {
    const { admin, manager } = staff();
    const first = submit(application({ contactEmail: "a@one.example" }));
    const second = submit(application({ contactEmail: "b@two.example" }));
    const third = submit(application({ contactEmail: "c@three.example" }));

    // A partner manager always becomes the manager, whatever id comes along.
    const a = await approveApplication(ctx(), manager, first.id, { managerId: admin.id });
    const b = await approveApplication(ctx(), admin, second.id, { managerId: manager.id });
    const c = await approveApplication(ctx(), admin, third.id);
    const managerOf = (id: number) =>
      db.select({ m: partners.managerId }).from(partners).where(eq(partners.id, id)).get()!.m;
    expect(managerOf(a.partner.id)).toBe(manager.id);
    expect(managerOf(b.partner.id)).toBe(manager.id);
    expect(managerOf(c.partner.id)).toBeNull();
  });

  it("leaves no partner behind when the invitation fails mid-way (contact already has an account)", async () => {
    const { admin } = staff();
    const existing = createPartner(db, { name: "Existing Co" });
    createUser(db, { role: "partner_user", partnerId: existing.id, email: "ann@acme.example" });
    const { id } = submit(application({ contactEmail: "Ann@Acme.example" }));
    const partnersBefore = countOf(partners);
    const auditBefore = countOf(auditEvents);

    await expect(approveApplication(ctx(), admin, id)).rejects.toThrow(/already has an account/);

    expect(countOf(partners)).toBe(partnersBefore);
    expect(db.select().from(partners).where(eq(partners.name, "Acme Consulting")).all()).toEqual([]);
    expect(countOf(invitations)).toBe(0);
    expect(countOf(auditEvents)).toBe(auditBefore);
    expect(db.select().from(partnerApplications).where(eq(partnerApplications.id, id)).get()).toMatchObject({
      status: "pending",
      decidedBy: null,
      decidedAt: null,
      partnerId: null,
    });
    expect(listOutbox(outboxDir)).toEqual([]);
  });

  it("refuses to approve an application twice, or one already declined", async () => {
    const { admin, manager } = staff();
    const { id } = submit(application());
    await approveApplication(ctx(), admin, id);

    const again = approveApplication(ctx(), manager, id);
    await expect(again).rejects.toBeInstanceOf(ApplicationError);
    await expect(approveApplication(ctx(), manager, id)).rejects.toThrow(/already approved/);
    expect(countOf(partners)).toBe(1);
    expect(countOf(invitations)).toBe(1);

    const other = submit(application({ contactEmail: "bob@else.example" }));
    await declineApplication(ctx(), admin, other.id, "We are not adding agencies in EMEA this year.");
    await expect(approveApplication(ctx(), admin, other.id)).rejects.toThrow(/already declined/);
    await expect(declineApplication(ctx(), admin, id, "Changed our mind about this.")).rejects.toThrow(
      /already approved/,
    );
    expect(countOf(partners)).toBe(1);
  });

  it("refuses an assigned manager who is not on the partner team", async () => {
    const { admin } = staff();
    const partnerUser = createUser(db, { role: "partner_user" });
    const partnersBefore = countOf(partners);
    const { id } = submit(application());
    await expect(approveApplication(ctx(), admin, id, { managerId: partnerUser.id })).rejects.toThrow(
      /not a member of the partner team/,
    );
    expect(countOf(partners)).toBe(partnersBefore);
  });
});

describe("declineApplication", () => {
  it("requires a reason", async () => {
    const { admin } = staff();
    const { id } = submit(application());
    await expect(declineApplication(ctx(), admin, id, "   ")).rejects.toThrow(/reason/);
    expect(db.select().from(partnerApplications).where(eq(partnerApplications.id, id)).get()!.status).toBe("pending");
    expect(listOutbox(outboxDir)).toEqual([]);
  });

  it("records the decision and emails the applicant the reason, escaped in the HTML", async () => {
    const { manager } = staff();
    const { id } = submit(application());
    const reason = "We only take partners with a <certified> team for now.";

    await declineApplication(ctx(), manager, id, `  ${reason}  `);

    expect(db.select().from(partnerApplications).where(eq(partnerApplications.id, id)).get()).toMatchObject({
      status: "declined",
      declineReason: reason,
      decidedBy: manager.id,
      partnerId: null,
    });
    expect(countOf(partners)).toBe(0);
    const audit = db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.entityType, "partner_application"), eq(auditEvents.entityId, String(id))))
      .all();
    expect(audit.map((a) => a.action)).toEqual(["application.declined"]);

    const mail = listOutbox(outboxDir);
    expect(mail).toHaveLength(1);
    expect(mail[0]!.to).toEqual(["ann@acme.example"]);
    expect(mail[0]!.text).toContain(reason);
    expect(mail[0]!.html).toContain("a &lt;certified&gt; team");
    expect(mail[0]!.html).not.toContain("<certified>");
  });
});

describe("submitApplication and listApplications", () => {
  it("queues pending applications oldest first and lists decisions newest first", async () => {
    const { admin } = staff();
    const now = Date.now();
    const old = submit(application({ companyName: "Old Co", contactEmail: "o@old.example" }), new Date(now - 5 * 86_400_000));
    const fresh = submit(application({ companyName: "Fresh Co", contactEmail: "f@fresh.example" }), new Date(now - 86_400_000));
    const mid = submit(application({ companyName: "Mid Co", contactEmail: "m@mid.example" }), new Date(now - 3 * 86_400_000));
    expect(listApplications(db, { status: "pending" }).map((a) => a.id)).toEqual([old.id, mid.id, fresh.id]);

    await declineApplication(ctx(), admin, mid.id, "Not a fit for the program right now.");
    await new Promise((resolve) => setTimeout(resolve, 5));
    await approveApplication(ctx(), admin, old.id);
    const decided = listApplications(db, { status: "decided" });
    expect(decided.map((a) => [a.companyName, a.status, a.decidedByName])).toEqual([
      ["Old Co", "approved", "Ada Admin"],
      ["Mid Co", "declined", "Ada Admin"],
    ]);
    expect(decided[0]!.partnerSlug).toBe("old-co");
    expect(listApplications(db, { status: "pending" }).map((a) => a.id)).toEqual([fresh.id]);
  });

  it("stores the contact email lower-cased and limits applications per address per day", async () => {
    const { admin } = staff();
    for (let i = 0; i < 3; i++) {
      const { id } = submit(application({ contactEmail: "ANN@acme.example" }));
      await declineApplication(ctx(), admin, id, "Not a fit for the program right now.");
    }
    expect(() => submit(application())).toThrow(/already have applications from this email address today/);
    const rows = db.select({ email: partnerApplications.contactEmail }).from(partnerApplications).all();
    expect(rows.map((r) => r.email)).toEqual(Array(3).fill("ann@acme.example"));
    expect(db.select({ n: count() }).from(users).get()!.n).toBe(2); // the staff who declined, and no one else
  });
});

describe("the emails of a submission", () => {
  it("confirms to the applicant and tells every enabled partner manager and program admin, with a link to review", async () => {
    createUser(db, { role: "partner_manager", email: "mia@vendor.test" });
    createUser(db, { role: "admin", email: "ada@vendor.test" });
    createUser(db, { role: "partner_manager", email: "gone@vendor.test", disabledAt: new Date() });
    createUser(db, { role: "partner_admin", email: "someone@partner.test" });
    const submitted = submitApplication(db, application({ companyName: "Nordlicht GmbH" }), { config });
    if (submitted.replayed) throw new Error("a first submission is never a replay");
    // Queued with the application; the drain (the route's deliverQueued) sends them.
    await deliverQueued(ctx());
    const sent = listOutbox(outboxDir);
    const toApplicant = sent.filter((m) => m.to.includes("ann@acme.example"));
    expect(toApplicant).toHaveLength(1);
    const toStaff = sent.filter((m) => m.subject === "New partner application: Nordlicht GmbH");
    expect(toStaff).toHaveLength(1);
    expect(toStaff[0]!.to).toEqual(["ada@vendor.test", "mia@vendor.test"]);
    expect(toStaff[0]!.text).toContain("http://portal.test/internal/applications");
  });
});

describe("possibleDuplicates", () => {
  it("follows every change to the partners since it was last asked, through this connection or another process's", () => {
    const { id } = submit(application({ companyName: "Nordlicht GmbH", contactEmail: "ann@nordlicht.example" }));
    const pending = db.select().from(partnerApplications).where(eq(partnerApplications.id, id)).get()!;
    const reasons = () => (possibleDuplicates(db, [pending])[pending.id] ?? []).map((d) => `${d.name}: ${d.reason}`);
    expect(reasons()).toEqual([]);

    const sameDomain = createPartner(db, { name: "Polar Systems", website: "https://www.nordlicht.example/" });
    expect(reasons()).toEqual(["Polar Systems: same domain"]);

    const other = openDatabase(file);
    try {
      other.update(partners).set({ website: "https://polar.example" }).where(eq(partners.id, sameDomain.id)).run();
      createPartner(other, { name: "Nordlicht Software AG", website: "https://nordlicht-software.example" });
    } finally {
      closeDatabase(other);
    }
    expect(reasons()).toEqual(["Nordlicht Software AG: similar name"]);

    db.delete(partners).where(eq(partners.name, "Nordlicht Software AG")).run();
    expect(reasons()).toEqual([]);
  });
});
