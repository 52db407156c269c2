// Partner applications: the public "Become a partner" submission, the partner team's queue, and
// the two decisions. Approval turns an application into an active partner with its first
// partner admin invited, all in one transaction; emails go out only after it commits.
import { aliasedTable, and, asc, count, desc, eq, gt, gte, inArray, isNull, like, lt, or } from "drizzle-orm";
import { emitWebhookEvent } from "../webhooks/events.server";
import { partnerApplications, partners, programSettings, tiers, users, type PartnerKind, type Role } from "../../db/schema";
import { applicationDeclinedEmail } from "../../emails/application-declined";
import { applicationArrivedEmail } from "../../emails/application-arrived";
import { applicationReceivedEmail } from "../../emails/application-received";
import { sqliteOf, writeTransaction, type DB, type Tx } from "../db.server";
import type { Mailer } from "../mailer.server";
import type { Config } from "../config.server";
import { actorOf, recordAudit } from "./audit.server";
import { decodeKeyset, encodeKeyset } from "./keyset";
import { memoized, tableVersion } from "./memo.server";
import { normalizeCompanyName, normalizeDomain, slugify } from "./customers";
import { replayOf, rememberResult, type IdempotencyKey } from "./idempotency.server";
import { createInvitation, InvitationError, invitationMessage } from "./invitations.server";
import { deliverQueued, queueMessage, type IdentifiedMessage } from "../mail/outbox.server";

export type ApplicationContext = { db: DB; mailer: Mailer; config: Pick<Config, "APP_URL"> };

/** A decision the caller can show as-is ("already approved", "give a reason"). */
export class ApplicationError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 | 409 = 409,
  ) {
    super(message);
    this.name = "ApplicationError";
  }
}

export type ApplicationInput = {
  companyName: string;
  /** Already normalized by the form (a bare domain). */
  website: string;
  kind: PartnerKind;
  region: string;
  contactName: string;
  contactEmail: string;
  message?: string;
};

/** More applications than this from one address in a day are refused: each one sends it an email. */
export const APPLICATIONS_PER_EMAIL_PER_DAY = 3;

export function programName(db: Pick<DB, "select">): string {
  const row = db.select({ name: programSettings.programName }).from(programSettings).get();
  return row?.name ?? "Partner Program";
}

/** Where the form leads after a submission: the thank-you page. */
export const APPLICATION_SUBMITTED_LOCATION = "/apply?submitted=1";

export function pendingApplicationMessage(domain: string) {
  return `An application for ${domain} is already being reviewed — we'll email you. There is no need to apply again.`;
}

export type SubmittedApplication =
  | { replayed: true }
  | { replayed: false; application: { id: number; companyName: string; contactName: string; contactEmail: string } };

/**
 * Records an application. At most one pending application per company domain and per contact
 * email (partial unique indexes back this up): a second one is refused with a message saying
 * the first is being reviewed. A repeat of the same form submission (same token) is a replay:
 * nothing is created and no second confirmation is to be sent.
 */
export function submitApplication(
  db: DB,
  input: ApplicationInput,
  /** With `config`, the applicant's confirmation and the partner team's notice are queued in the same transaction. */
  options: { key?: IdempotencyKey | null; now?: Date; config?: Pick<Config, "APP_URL"> } = {},
): SubmittedApplication {
  const now = options.now ?? new Date();
  const key = options.key ?? null;
  const contactEmail = input.contactEmail.trim().toLowerCase();
  try {
    return writeTransaction(db, (tx): SubmittedApplication => {
      if (replayOf(tx, key)) return { replayed: true };
      const recent = tx
        .select({ n: count() })
        .from(partnerApplications)
        .where(
          and(
            eq(partnerApplications.contactEmail, contactEmail),
            gte(partnerApplications.createdAt, new Date(now.getTime() - 86_400_000)),
          ),
        )
        .get();
      if ((recent?.n ?? 0) >= APPLICATIONS_PER_EMAIL_PER_DAY) {
        throw new ApplicationError(
          "We already have applications from this email address today. The partner team will be in touch.",
          400,
        );
      }
      const pending = tx
        .select({ id: partnerApplications.id })
        .from(partnerApplications)
        .where(
          and(
            eq(partnerApplications.status, "pending"),
            or(eq(partnerApplications.website, input.website), eq(partnerApplications.contactEmail, contactEmail)),
          ),
        )
        .get();
      if (pending) throw new ApplicationError(pendingApplicationMessage(input.website));
      const application = tx
        .insert(partnerApplications)
        .values({
          companyName: input.companyName.trim(),
          website: input.website,
          kind: input.kind,
          region: input.region,
          contactName: input.contactName.trim(),
          contactEmail,
          message: input.message?.trim() ?? "",
          createdAt: now,
        })
        .returning({
          id: partnerApplications.id,
          companyName: partnerApplications.companyName,
          contactName: partnerApplications.contactName,
          contactEmail: partnerApplications.contactEmail,
        })
        .get();
      emitWebhookEvent(
        tx,
        "partner.applied",
        { application: { id: application.id, companyName: application.companyName, website: input.website, kind: input.kind, region: input.region } },
        { now },
      );
      if (options.config) {
        const txDb = tx as unknown as DB;
        queueMessage(tx, applicationReceivedMessage(txDb, application));
        queueMessage(tx, applicationArrivedMessage({ db: txDb, config: options.config }, application.id));
      }
      rememberResult(tx, key, APPLICATION_SUBMITTED_LOCATION, now);
      return { replayed: false, application };
    });
  } catch (error) {
    // The last line of defence: another process inserted between our check and our insert.
    if (error instanceof Error && "code" in error && error.code === "SQLITE_CONSTRAINT_UNIQUE" && /partner_applications/.test(error.message)) {
      throw new ApplicationError(pendingApplicationMessage(input.website));
    }
    throw error;
  }
}

/** The applicant's confirmation: one per application. */
export function applicationReceivedMessage(
  db: DB,
  application: { id: number; companyName: string; contactName: string; contactEmail: string },
): IdentifiedMessage {
  const email = applicationReceivedEmail({ ...application, programName: programName(db) });
  return { to: [application.contactEmail], ...email, identity: { kind: "application-received", key: String(application.id) } };
}

/** The partner team's notice (every enabled partner manager and program admin), linking to the queue. */
export function applicationArrivedMessage(ctx: { db: DB; config: Pick<Config, "APP_URL"> }, id: number): IdentifiedMessage | null {
  const application = ctx.db
    .select({
      companyName: partnerApplications.companyName,
      contactName: partnerApplications.contactName,
      contactEmail: partnerApplications.contactEmail,
      kind: partnerApplications.kind,
      region: partnerApplications.region,
    })
    .from(partnerApplications)
    .where(eq(partnerApplications.id, id))
    .get();
  const staff = ctx.db
    .select({ email: users.email })
    .from(users)
    .where(and(inArray(users.role, ["partner_manager", "admin"]), isNull(users.disabledAt)))
    .orderBy(asc(users.email))
    .all();
  if (!application || staff.length === 0) return null;
  const email = applicationArrivedEmail({
    ...application,
    programName: programName(ctx.db),
    reviewUrl: `${ctx.config.APP_URL}/internal/applications`,
  });
  return { to: staff.map((s) => s.email), ...email, identity: { kind: "application-arrived", key: String(id) } };
}

export type ApplicationListStatus = "pending" | "decided" | "approved" | "declined";

/** A position in an application list: the sort instant (submitted, or decided) and id of a row. */
export type ApplicationCursor = { at: number; id: number };
/** null for anything that is not a cursor of these lists (the list then starts over). */
export function decodeApplicationCursor(value: string | null | undefined): ApplicationCursor | null {
  const key = decodeKeyset(value, ["number", "number"]);
  return key ? { at: key[0], id: key[1] } : null;
}

/**
 * Pending ones oldest first (the queue); decided ones newest decision first. `after` / `before`
 * resume after or before a row of the same list (keyset on the sort instant and id).
 */
export function listApplications(
  db: DB,
  {
    status,
    limit = 50,
    after = null,
    before = null,
  }: { status: ApplicationListStatus; limit?: number; after?: ApplicationCursor | null; before?: ApplicationCursor | null },
) {
  const decider = aliasedTable(users, "decider");
  const pending = status === "pending";
  // Pending: ascending on created_at; decided: descending on decided_at. `before` reads backwards.
  const key = pending ? partnerApplications.createdAt : partnerApplications.decidedAt;
  const ascending = pending !== !!before;
  const cursor = before ?? after;
  const conditions = [
    status === "decided" ? inArray(partnerApplications.status, ["approved", "declined"]) : eq(partnerApplications.status, status),
  ];
  if (cursor) {
    const at = new Date(cursor.at);
    conditions.push(
      ascending
        ? or(gt(key, at), and(eq(key, at), gt(partnerApplications.id, cursor.id)))!
        : or(lt(key, at), and(eq(key, at), lt(partnerApplications.id, cursor.id)))!,
    );
  }
  const rows = db
    .select({
      id: partnerApplications.id,
      companyName: partnerApplications.companyName,
      website: partnerApplications.website,
      kind: partnerApplications.kind,
      region: partnerApplications.region,
      contactName: partnerApplications.contactName,
      contactEmail: partnerApplications.contactEmail,
      message: partnerApplications.message,
      status: partnerApplications.status,
      declineReason: partnerApplications.declineReason,
      createdAt: partnerApplications.createdAt,
      decidedAt: partnerApplications.decidedAt,
      decidedByName: decider.name,
      partnerId: partnerApplications.partnerId,
      partnerName: partners.name,
      partnerSlug: partners.slug,
    })
    .from(partnerApplications)
    .leftJoin(decider, eq(decider.id, partnerApplications.decidedBy))
    .leftJoin(partners, eq(partners.id, partnerApplications.partnerId))
    .where(and(...conditions))
    .orderBy(...(ascending ? [asc(key), asc(partnerApplications.id)] : [desc(key), desc(partnerApplications.id)]))
    .limit(limit)
    .all();
  return before ? rows.reverse() : rows;
}

export const APPLICATION_PAGE_SIZE = 20;

/** One page of a status's applications with the cursors around it and how many there are. */
export function applicationsPage(
  db: DB,
  status: Exclude<ApplicationListStatus, "decided">,
  dir: { after?: ApplicationCursor | null; before?: ApplicationCursor | null } = {},
  pageSize = APPLICATION_PAGE_SIZE,
) {
  const total = db.select({ n: count() }).from(partnerApplications).where(eq(partnerApplications.status, status)).get()?.n ?? 0;
  const found = listApplications(db, { status, limit: pageSize + 1, after: dir.after, before: dir.before });
  const backwards = !!dir.before;
  const more = found.length > pageSize;
  // Paging back past the start lands on the first page, full.
  if (backwards && !more) return applicationsPage(db, status, {}, pageSize);
  const rows = backwards ? found.slice(1) : found.slice(0, pageSize);
  const cursorOf = (r: (typeof rows)[number] | undefined) =>
    r ? encodeKeyset([(status === "pending" ? r.createdAt : (r.decidedAt ?? r.createdAt)).getTime(), r.id]) : null;
  return {
    rows,
    total,
    next: backwards || more ? cursorOf(rows[rows.length - 1]) : null,
    prev: backwards ? cursorOf(rows[0]) : dir.after ? (cursorOf(rows[0]) ?? encodeKeyset([dir.after.at, dir.after.id])) : null,
  };
}

export type PossibleDuplicate = {
  kind: "partner" | "application";
  name: string;
  /** partner status, or application status */
  status: string;
  /** What matched: "same domain", "similar name", "same contact email". */
  reason: string;
  partnerSlug: string | null;
};

// The roster's names and websites normalized once per process, not on every page view (10,000
// partners took ~0.4 s): the functions are pure, so a memo by input is always right. Bounded.
const normalizedMemo = new Map<string, string | null>();
function normalizedOnce(value: string, kind: "name" | "domain"): string | null {
  const key = `${kind}:${value}`;
  if (normalizedMemo.has(key)) return normalizedMemo.get(key)!;
  if (normalizedMemo.size >= 100_000) normalizedMemo.clear();
  const result = kind === "name" ? normalizeCompanyName(value) : normalizeDomain(value);
  normalizedMemo.set(key, result);
  return result;
}

// A similar name shares its first word (equal, or one a word-prefix of the other), a same
// domain is equal: each application looks at those roster entries only, in roster order.
const firstWord = (n: string) => n.split(" ", 1)[0]!;

/**
 * Every partner with its normalized domain and name, filed under "d:<domain>" and
 * "w:<first word of the name>". Reading and filing 10,000 partners took ~100 ms a page view;
 * it is rebuilt only when a partner changes (the partners table version).
 */
function rosterIndex(db: DB) {
  const c = sqliteOf(db);
  return memoized(c, "applications-roster", tableVersion(c, "partners"), () => {
    const roster = db
      .select({ id: partners.id, name: partners.name, slug: partners.slug, status: partners.status, website: partners.website })
      .from(partners)
      .all()
      .map((p) => ({ ...p, domain: normalizedOnce(p.website ?? "", "domain"), normalized: normalizedOnce(p.name, "name") }));
    const byKey = new Map<string, number[]>();
    const file = (key: string, index: number) => {
      const list = byKey.get(key);
      if (list) list.push(index);
      else byKey.set(key, [index]);
    };
    roster.forEach((p, index) => {
      if (p.domain) file(`d:${p.domain}`, index);
      if (p.normalized) file(`w:${firstWord(p.normalized)}`, index);
    });
    return { roster, byKey };
  });
}

/**
 * What the partner team should look at before approving each pending application: existing
 * partners with the same website domain or a similar name, and other applications from the
 * same domain or contact. Keyed by application id; applications with nothing similar are absent.
 */
export function possibleDuplicates(
  db: DB,
  pending: { id: number; companyName: string; website: string; contactEmail: string; partnerId?: number | null }[],
): Record<number, PossibleDuplicate[]> {
  if (pending.length === 0) return {};
  const { roster, byKey } = rosterIndex(db);
  const domains = pending.map((a) => a.website);
  const emails = pending.map((a) => a.contactEmail);
  const others = db
    .select({
      id: partnerApplications.id,
      companyName: partnerApplications.companyName,
      website: partnerApplications.website,
      contactEmail: partnerApplications.contactEmail,
      status: partnerApplications.status,
    })
    .from(partnerApplications)
    .where(or(inArray(partnerApplications.website, domains), inArray(partnerApplications.contactEmail, emails)))
    .all();
  const result: Record<number, PossibleDuplicate[]> = {};
  for (const a of pending) {
    const found: PossibleDuplicate[] = [];
    const name = normalizeCompanyName(a.companyName);
    const candidates = [...new Set([...(byKey.get(`d:${a.website}`) ?? []), ...(name ? (byKey.get(`w:${firstWord(name)}`) ?? []) : [])])]
      .sort((x, y) => x - y)
      .map((index) => roster[index]!);
    for (const p of candidates) {
      // The applicant's own "applied" row on the roster is not a duplicate of itself.
      if (a.partnerId && p.id === a.partnerId) continue;
      const reason =
        p.domain && p.domain === a.website
          ? "same domain"
          : name && p.normalized && (p.normalized === name || p.normalized.startsWith(`${name} `) || name.startsWith(`${p.normalized} `))
            ? "similar name"
            : null;
      if (reason) found.push({ kind: "partner", name: p.name, status: p.status, reason, partnerSlug: p.slug });
    }
    for (const o of others) {
      if (o.id === a.id) continue;
      const reason = o.website === a.website ? "same domain" : o.contactEmail === a.contactEmail ? "same contact email" : null;
      if (reason) found.push({ kind: "application", name: o.companyName, status: o.status, reason, partnerSlug: null });
    }
    if (found.length) result[a.id] = found;
  }
  return result;
}

/** Reads the application inside the transaction and refuses anything but a pending one. */
function pendingApplication(tx: Tx, id: number) {
  const application = tx.select().from(partnerApplications).where(eq(partnerApplications.id, id)).get();
  if (!application) throw new ApplicationError("That application does not exist.", 404);
  if (application.status !== "pending") {
    const when = application.decidedAt ? ` on ${application.decidedAt.toISOString().slice(0, 10)}` : "";
    throw new ApplicationError(
      `The application from ${application.companyName} was already ${application.status}${when}; it cannot be decided again.`,
    );
  }
  return application;
}

/** "Acme Ltd." → "acme-ltd", then "acme-ltd-2", "acme-ltd-3"… whichever is free. */
export function uniquePartnerSlug(tx: Pick<Tx, "select">, companyName: string): string {
  const base = slugify(companyName).slice(0, 48).replace(/-+$/, "") || "partner";
  const taken = new Set(
    tx
      .select({ slug: partners.slug })
      .from(partners)
      .where(or(eq(partners.slug, base), like(partners.slug, `${base}-%`)))
      .all()
      .map((r) => r.slug),
  );
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
  }
}

/** Staff users who can be assigned to look after a partner. */
function assignableManager(tx: Pick<Tx, "select">, userId: string) {
  return tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.id, userId), inArray(users.role, ["partner_manager", "admin"]), isNull(users.disabledAt)))
    .get();
}

// The route guard (requireStaff) decides who may; the role only picks the partner manager.
export type Approver = { id: string; email: string; name: string; role: Role };

export async function approveApplication(
  ctx: ApplicationContext,
  approver: Approver,
  id: number,
  options: { managerId?: string | null } = {},
) {
  const actor = actorOf(approver);
  const result = writeTransaction(ctx.db, (tx) => {
    const application = pendingApplication(tx, id);
    const lowest = tx.select({ id: tiers.id }).from(tiers).orderBy(asc(tiers.rank)).limit(1).get();
    if (!lowest) throw new ApplicationError("The program has no tiers yet: an admin must set them up first.");

    let managerId: string | null = null;
    if (approver.role === "partner_manager") managerId = approver.id;
    else if (options.managerId) {
      if (!assignableManager(tx, options.managerId)) {
        throw new ApplicationError("The chosen partner manager is not a member of the partner team.", 400);
      }
      managerId = options.managerId;
    }

    const now = new Date();
    // An applicant already on the roster as "applied" (the demo's, or one entered by hand)
    // becomes active; otherwise the partner is created here. Either way exactly one partner.
    const applied = application.partnerId
      ? tx.select().from(partners).where(eq(partners.id, application.partnerId)).get()
      : undefined;
    if (applied && applied.status !== "applied") {
      throw new ApplicationError(`${applied.name} is already ${applied.status}; this application cannot create it again.`);
    }
    // The application is approved first: the database lets an applied partner become active
    // only through its approved application.
    tx.update(partnerApplications)
      .set({ status: "approved", decidedBy: approver.id, decidedAt: now })
      .where(eq(partnerApplications.id, application.id))
      .run();
    const partner = applied
      ? tx
          .update(partners)
          .set({ status: "active", tierId: lowest.id, managerId, joinedOn: now.toISOString().slice(0, 10) })
          .where(eq(partners.id, applied.id))
          .returning()
          .get()
      : tx
          .insert(partners)
          .values({
            name: application.companyName,
            slug: uniquePartnerSlug(tx, application.companyName),
            kind: application.kind,
            region: application.region,
            website: application.website,
            status: "active",
            tierId: lowest.id,
            managerId,
            joinedOn: now.toISOString().slice(0, 10),
          })
          .returning()
          .get();
    recordAudit(tx, {
      actor,
      action: applied ? "partner.activated" : "partner.created",
      entityType: "partner",
      entityId: partner.id,
      partnerId: partner.id,
      after: {
        name: partner.name,
        slug: partner.slug,
        kind: partner.kind,
        region: partner.region,
        tierId: partner.tierId,
        managerId: partner.managerId,
        applicationId: application.id,
      },
      at: now,
    });

    tx.update(partnerApplications)
      .set({ partnerId: partner.id })
      .where(eq(partnerApplications.id, application.id))
      .run();
    recordAudit(tx, {
      actor,
      action: "application.approved",
      entityType: "partner_application",
      entityId: application.id,
      partnerId: partner.id,
      before: { status: "pending" },
      after: { status: "approved", partnerId: partner.id },
      at: now,
    });

    // A refusal here (the address already has an account) undoes the partner above: an
    // approved application always comes with its partner admin's invitation. createInvitation
    // opens its own transaction, which inside ours is a savepoint.
    let invitation: { id: number; token: string };
    try {
      invitation = createInvitation(tx as unknown as DB, {
        email: application.contactEmail,
        name: application.contactName,
        role: "partner_admin",
        partnerId: partner.id,
        actor,
      });
    } catch (error) {
      if (error instanceof InvitationError) {
        throw new ApplicationError(`Cannot approve: the contact cannot be invited. ${error.message}`);
      }
      throw error;
    }
    // The invitation's email commits with the approval (an outbox row, decision 0018).
    queueMessage(tx, invitationMessage(ctx, { invitationId: invitation.id, token: invitation.token, inviterName: approver.name }));
    return {
      partner: { id: partner.id, name: partner.name, slug: partner.slug },
      invitation,
      contactEmail: application.contactEmail,
    };
  });

  // Queued with the approval; the drain delivers it (and retries it) after the commit.
  const invitationSent = true;
  await deliverQueued(ctx);
  return { partner: result.partner, invitationId: result.invitation.id, contactEmail: result.contactEmail, invitationSent };
}

export async function declineApplication(ctx: ApplicationContext, decider: Approver, id: number, reason: string) {
  const why = reason.trim();
  if (!why) throw new ApplicationError("Give the applicant a reason for declining.", 400);
  const application = writeTransaction(ctx.db, (tx) => {
    const application = pendingApplication(tx, id);
    const now = new Date();
    tx.update(partnerApplications)
      .set({ status: "declined", declineReason: why, decidedBy: decider.id, decidedAt: now })
      .where(eq(partnerApplications.id, application.id))
      .run();
    // An applicant on the roster as "applied" leaves it: applied means "application pending".
    if (application.partnerId) {
      tx.update(partners)
        .set({ status: "churned" })
        .where(and(eq(partners.id, application.partnerId), eq(partners.status, "applied")))
        .run();
    }
    recordAudit(tx, {
      actor: actorOf(decider),
      action: "application.declined",
      entityType: "partner_application",
      entityId: application.id,
      before: { status: "pending" },
      after: { status: "declined", reason: why },
      at: now,
    });
    // The applicant's email commits with the decline (an outbox row, decision 0018).
    const email = applicationDeclinedEmail({
      companyName: application.companyName,
      contactName: application.contactName,
      reason: why,
      programName: programName(ctx.db),
    });
    queueMessage(tx, { to: [application.contactEmail], ...email, identity: { kind: "application-declined", key: String(application.id) } });
    return application;
  });

  const emailSent = true;
  await deliverQueued(ctx);
  return { companyName: application.companyName, contactEmail: application.contactEmail, emailSent };
}
