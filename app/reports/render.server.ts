// What the delivery job sends, ready to hand to the mailer: a report's recipients, its PDF and
// its email, rendered from the one report object (contract.ts, built by partner-report.server.ts
// and ecosystem-report.server.ts). Also who receives a partner's report and how (its enabled
// users who are opted in: admins are opted in when they join, and anyone can opt out by the
// email's unsubscribe link), which partner admins set on the Reports page, and the
// deterministic Message-ID a re-sent report keeps.
import { messageIdFor } from "../mail/message-id.server";
import { and, asc, eq, inArray, isNull } from "drizzle-orm";
import { partners, users } from "../../db/schema";
import { ecosystemReportEmail } from "../../emails/ecosystem-report";
import { monthlyReportEmail } from "../../emails/monthly-report";
import { writeTransaction, type DB } from "../db.server";
import { recordAudit, type Actor } from "../domain/audit.server";
import { ReportError } from "./contract";
import { buildEcosystemReport } from "./ecosystem-report.server";
import { buildPartnerReport } from "./partner-report.server";
import { renderEcosystemPdf, renderPartnerPdf } from "./pdf-pool.server";

export type ReportFormat = "pdf" | "email" | "off";
export type ReportEmail = { subject: string; html: string; text: string };

export type RenderedPartnerReport = {
  partner: { id: number; name: string; slug: string; reportFormat: ReportFormat };
  recipients: string[];
  /** The same people with their ids: each gets their own message with their own unsubscribe link. */
  recipientUsers: { id: string; email: string }[];
  /** Only when the partner receives the PDF (reportFormat 'pdf'). */
  pdf: Buffer | null;
  email: ReportEmail;
};

export type RenderedEcosystemReport = { recipients: string[]; pdf: Buffer; email: ReportEmail };

// ---------------------------------------------------------------------------------------------
// Recipients.

/**
 * A partner's report goes to its enabled users who are opted in. Admins are opted in when they
 * join but, like everyone, may opt out (RFC 8058 unsubscribe must actually stop the email).
 */
export function partnerReportRecipientUsers(db: DB, partnerId: number): { id: string; email: string }[] {
  return db
    .select({ id: users.id, email: users.email })
    .from(users)
    .where(and(eq(users.partnerId, partnerId), isNull(users.disabledAt), eq(users.reportOptIn, true)))
    .orderBy(asc(users.email))
    .all();
}

export function partnerReportRecipients(db: DB, partnerId: number): string[] {
  return partnerReportRecipientUsers(db, partnerId).map((u) => u.email);
}

/** The ecosystem report goes to every enabled program admin and partner manager. */
export function ecosystemReportRecipients(db: DB): string[] {
  return db
    .select({ email: users.email })
    .from(users)
    .where(and(inArray(users.role, ["admin", "partner_manager"]), isNull(users.disabledAt)))
    .orderBy(asc(users.email))
    .all()
    .map((u) => u.email);
}

// ---------------------------------------------------------------------------------------------
// Rendering.

/**
 * A partner's report for `period`, rendered for delivery. With the preference 'off' the object
 * is still returned (the caller skips it); the PDF is rendered only for 'pdf'. Throws
 * ReportError for a missing partner (404) or a bad period (400).
 */
export async function renderPartnerReport(
  db: DB,
  config: { APP_URL: string },
  partnerId: number,
  period: string,
): Promise<RenderedPartnerReport> {
  const partner = db
    .select({ id: partners.id, name: partners.name, slug: partners.slug, reportFormat: partners.reportFormat })
    .from(partners)
    .where(eq(partners.id, partnerId))
    .get();
  if (!partner) throw new ReportError("No such partner.", 404);
  const report = buildPartnerReport(db, partnerId, period);
  const pdf = partner.reportFormat === "pdf" ? await renderPartnerPdf(report) : null;
  const email = monthlyReportEmail(report, { format: partner.reportFormat === "pdf" ? "pdf" : "email", portalUrl: config.APP_URL });
  const recipientUsers = partnerReportRecipientUsers(db, partnerId);
  return { partner, recipients: recipientUsers.map((u) => u.email), recipientUsers, pdf, email };
}

export async function renderEcosystemReport(db: DB, config: { APP_URL: string }, period: string): Promise<RenderedEcosystemReport> {
  const report = buildEcosystemReport(db, period);
  const pdf = await renderEcosystemPdf(report);
  return { recipients: ecosystemReportRecipients(db), pdf, email: ecosystemReportEmail(report, { portalUrl: config.APP_URL }) };
}

/**
 * The Message-ID of a report email: the same for every attempt at the same report, so a resend
 * after a crash is recognised as the same message. `domain` is APP_URL's host name (a whole
 * URL is accepted too).
 */
/**
 * A report's Message-ID (decision 0018): `<monthly-report.{partner}-{period}-{recipient}@{domain}>`
 * or `<ecosystem-report.{period}@{domain}>`; `domain` is the program's mail domain.
 */
export function reportMessageId(partnerId: number | null, period: string, domain: string, recipientId?: string): string {
  if (partnerId === null) return messageIdFor("ecosystem-report", period, domain);
  // A partner's report is one message per recipient (each has its own unsubscribe link).
  const who = recipientId ? `-${recipientId.replace(/[^A-Za-z0-9-]/g, "")}` : "";
  return messageIdFor("monthly-report", `${partnerId}-${period}${who}`, domain);
}

// ---------------------------------------------------------------------------------------------
// Preferences (the partner admin's form on the Reports page).

export type ReportPreferences = {
  format: ReportFormat;
  people: {
    id: string;
    name: string;
    email: string;
    role: "partner_user" | "partner_admin";
    receives: boolean;
  }[];
};

/** The partner's report format and its enabled users with whether each receives the report. */
export function getReportPreferences(db: DB, partnerId: number): ReportPreferences | null {
  const partner = db.select({ format: partners.reportFormat }).from(partners).where(eq(partners.id, partnerId)).get();
  if (!partner) return null;
  const people = db
    .select({ id: users.id, name: users.name, email: users.email, role: users.role, optIn: users.reportOptIn })
    .from(users)
    .where(and(eq(users.partnerId, partnerId), isNull(users.disabledAt)))
    .orderBy(asc(users.name), asc(users.email))
    .all()
    .map((u) => ({
      id: u.id,
      name: u.name,
      email: u.email,
      role: u.role as "partner_user" | "partner_admin",
      receives: u.optIn,
    }));
  return { format: partner.format, people };
}

/**
 * Sets the format and which colleagues (enabled users of THIS partner, admins included) opt
 * in; the others are opted out. Returns null when an id is not an enabled user of the partner
 * (the caller answers 404, as for a missing one).
 */
export function saveReportPreferences(
  db: DB,
  actor: Actor,
  partnerId: number,
  input: { format: ReportFormat; recipientIds: readonly string[] },
): ReportPreferences | null {
  return writeTransaction(db, (tx) => {
    const before = getReportPreferences(db, partnerId);
    if (!before) return null;
    const known = new Map(before.people.map((p) => [p.id, p]));
    const wanted = new Set(input.recipientIds);
    for (const id of wanted) if (!known.has(id)) return null;
    tx.update(partners).set({ reportFormat: input.format }).where(eq(partners.id, partnerId)).run();
    for (const person of before.people) {
      const receives = wanted.has(person.id);
      if (receives !== person.receives) {
        tx.update(users).set({ reportOptIn: receives }).where(and(eq(users.id, person.id), eq(users.partnerId, partnerId))).run();
      }
    }
    const after = getReportPreferences(db, partnerId)!;
    const summary = (p: ReportPreferences) => ({ format: p.format, recipients: p.people.filter((x) => x.receives).map((x) => x.email) });
    recordAudit(tx, {
      actor,
      action: "report_preferences.updated",
      entityType: "partner",
      entityId: partnerId,
      partnerId,
      before: summary(before),
      after: summary(after),
    });
    return after;
  });
}
