// The append-only audit trail: who did what to which object, when, and what it was before
// and after. Written inside the same transaction as the change it describes.
import { and, asc, eq } from "drizzle-orm";
import { auditEvents } from "../../db/schema";
import type { DB, Tx } from "../db.server";

/** A user, an API key (id null, label "api key <name>") or a job. */
export type Actor = { id: string | null; label: string } | "system";

export function actorOf(user: { id: string; email: string; role: string }): Actor {
  return { id: user.id, label: `${user.email} (${user.role})` };
}

export function recordAudit(
  tx: Pick<Tx, "insert">,
  event: {
    actor: Actor;
    action: string;
    entityType: string;
    entityId: string | number;
    partnerId?: number | null;
    before?: unknown;
    after?: unknown;
    at?: Date;
  },
) {
  tx.insert(auditEvents)
    .values({
      at: event.at ?? new Date(),
      actorId: event.actor === "system" ? null : event.actor.id,
      actorLabel: event.actor === "system" ? "system" : event.actor.label,
      action: event.action,
      entityType: event.entityType,
      entityId: String(event.entityId),
      partnerId: event.partnerId ?? null,
      before: event.before ?? null,
      after: event.after ?? null,
    })
    .run();
}

export function listAuditTrail(db: DB, entityType: string, entityId: string | number) {
  return db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.entityType, entityType), eq(auditEvents.entityId, String(entityId))))
    .orderBy(asc(auditEvents.at), asc(auditEvents.id))
    .all();
}
