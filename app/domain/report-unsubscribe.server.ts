// Unsubscribing from the monthly report by the link in its email (RFC 8058 one-click): the
// signed link for one user, checking a link, and turning that user's report opt-in off. The
// link is an HMAC of the user id under APP_SECRET for this one purpose, so it needs no table,
// works without signing in, and cannot be made for anyone else; it does not expire (a
// months-old report must still unsubscribe). Changing APP_SECRET invalidates every link sent.
import { createHmac, timingSafeEqual } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { users } from "../../db/schema";
import { writeTransaction, type DB } from "../db.server";
import { recordAudit } from "./audit.server";

const PURPOSE = "report-unsubscribe:v1";

function signature(secret: string, userId: string): string {
  return createHmac("sha256", secret).update(`${PURPOSE}\n${userId}`).digest("base64url");
}

/** `<userId>.<signature>`: the path segment of /unsubscribe/… for this user. */
export function unsubscribeToken(secret: string, userId: string): string {
  return `${userId}.${signature(secret, userId)}`;
}

export function unsubscribeUrl(config: { APP_URL: string; APP_SECRET: string }, userId: string): string {
  return `${config.APP_URL}/unsubscribe/${unsubscribeToken(config.APP_SECRET, userId)}`;
}

/** The headers that let a mail client offer "Unsubscribe" and POST it in one click (RFC 8058). */
export function unsubscribeHeaders(config: { APP_URL: string; APP_SECRET: string }, userId: string) {
  return {
    "List-Unsubscribe": `<${unsubscribeUrl(config, userId)}>`,
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
  };
}

/** The user id a token was signed for, or null when it was altered or made up. */
export function verifyUnsubscribeToken(secret: string, token: string): string | null {
  const dot = token.lastIndexOf(".");
  if (dot <= 0 || token.length > 200) return null;
  const userId = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1));
  const expected = Buffer.from(signature(secret, userId));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  return userId;
}

export type ReportSubscriber = { id: string; email: string; optedIn: boolean };

/** Who a valid link is for (only what the confirmation page says), or null for a deleted user. */
export function getReportSubscriber(db: DB, userId: string): ReportSubscriber | null {
  const row = db
    .select({ id: users.id, email: users.email, optedIn: users.reportOptIn, partnerId: users.partnerId })
    .from(users)
    .where(eq(users.id, userId))
    .get();
  return row && row.partnerId !== null ? { id: row.id, email: row.email, optedIn: row.optedIn } : null;
}

/** Turns the user's report opt-in off (idempotent); the audit log says it came from the link. */
export function unsubscribeFromReports(db: DB, userId: string): ReportSubscriber | null {
  return writeTransaction(db, (tx) => {
    const row = tx
      .select({ id: users.id, email: users.email, role: users.role, partnerId: users.partnerId, optedIn: users.reportOptIn })
      .from(users)
      .where(eq(users.id, userId))
      .get();
    if (!row || row.partnerId === null) return null;
    if (row.optedIn) {
      tx.update(users).set({ reportOptIn: false }).where(and(eq(users.id, row.id), eq(users.reportOptIn, true))).run();
      recordAudit(tx, {
        actor: { id: row.id, label: `${row.email} (${row.role}) by the unsubscribe link` },
        action: "user.report_unsubscribed",
        entityType: "user",
        entityId: row.id,
        partnerId: row.partnerId,
        before: { reportOptIn: true },
        after: { reportOptIn: false },
      });
    }
    return { id: row.id, email: row.email, optedIn: false };
  });
}
