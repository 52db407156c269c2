// The notice partners get when the program's attribution model changes (docs/domain.md
// "Program settings"): one email per active partner to its enabled admins and report
// recipients, an outbox row queued in the settings change's transaction (decision 0018).
import { and, asc, eq, isNull, or } from "drizzle-orm";
import { partners, users, type AttributionModel } from "../../db/schema";
import { creditModelChangedEmail } from "../../emails/credit-model-changed";
import type { Config } from "../config.server";
import type { Tx } from "../db.server";
import { queueMessage } from "../mail/outbox.server";
import { MODEL_LABEL } from "./attribution";

/** How each model credits a won deal, in one sentence a partner reads. */
const HOW_IT_CREDITS: Record<AttributionModel, string> = {
  sourced: "A won deal's revenue goes to the partner that registered it.",
  first: "A won deal's revenue goes to the first partner that touched it.",
  last: "A won deal's revenue goes to the last partner that touched it before it closed.",
  linear: "A won deal's revenue is shared equally between the partners that touched it.",
  time_decay: "A won deal's revenue is shared between the partners that touched it, more to recent touches (7-day half-life).",
  position: "A won deal's revenue is shared 40% to the first partner, 40% to the last and 20% across those in between.",
};

/**
 * Queues the notice in `tx`, the settings change's transaction (saveProgramSettings): one
 * outbox row per active partner with anyone to tell, under the identity partner + new model +
 * the change's instant, so the notice commits with the change or not at all and a re-run of
 * the same change queues nothing more. Returns how many partners it is queued for.
 */
export function queueCreditModelNotices(
  tx: Tx,
  ctx: { config: Pick<Config, "APP_URL"> },
  change: { from: AttributionModel; to: AttributionModel; programName: string; at: Date },
): { partners: number } {
  const rows = tx
    .select({ partnerId: partners.id, partnerName: partners.name, email: users.email })
    .from(partners)
    .innerJoin(users, eq(users.partnerId, partners.id))
    .where(
      and(
        eq(partners.status, "active"),
        isNull(users.disabledAt),
        or(eq(users.role, "partner_admin"), eq(users.reportOptIn, true)),
      ),
    )
    .orderBy(asc(partners.id), asc(users.email))
    .all();
  const byPartner = new Map<number, { name: string; to: string[] }>();
  for (const r of rows) {
    const entry = byPartner.get(r.partnerId) ?? { name: r.partnerName, to: [] };
    entry.to.push(r.email);
    byPartner.set(r.partnerId, entry);
  }
  for (const [partnerId, p] of byPartner) {
    const email = creditModelChangedEmail({
      programName: change.programName,
      partnerName: p.name,
      fromModel: MODEL_LABEL[change.from],
      toModel: MODEL_LABEL[change.to],
      toModelDescription: HOW_IT_CREDITS[change.to],
      url: `${ctx.config.APP_URL}/attribution`,
    });
    queueMessage(tx, {
      to: p.to,
      ...email,
      identity: { kind: "credit-model-changed", key: `partner-${partnerId}.${change.to}.${change.at.getTime()}`, partnerId },
    });
  }
  return { partners: byPartner.size };
}
