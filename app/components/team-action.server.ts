// The one action behind both team pages (team-page.tsx): invite, revoke an invitation, disable
// or enable an account, and (on a partner's team page) change a colleague's name, role and
// report opt-in. The route passes the signed-in user and the scope its guard proved
// (a partner admin: its own partner; a program admin: staff accounts), and every write below
// is made in that scope, so an id from another partner or side is a 404. Who may act at all is
// the route's guard, before this runs.
import { parseWithZod } from "@conform-to/zod";
import { data, type ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import type { SessionUser } from "../auth/session.server";
import { notFound } from "../auth/guards.server";
import { keptEntriesDone } from "../auth/kept-entries.server";
import { actorOf } from "../domain/audit.server";
import { IdempotencyError, idempotencyKeyOf } from "../domain/idempotency.server";
import { inviteAndSend, revokeInvitation, type InvitationScope } from "../domain/invitations.server";
import { findUserInScope, setUserDisabled, updateColleague, UserError } from "../domain/users.server";
import { colleagueSchema, type InviteSchema } from "./team-page";

const idSchema = z.coerce.number().int().positive();

export type TeamPolicy = {
  user: Pick<SessionUser, "id" | "name" | "email" | "role">;
  scope: InvitationScope;
  inviteSchema: InviteSchema;
  /** Only a partner's team page edits people (name, role, report opt-in). */
  canEdit?: boolean;
};

export async function teamAction({ request, context }: ActionFunctionArgs, policy: TeamPolicy) {
  const { user, scope } = policy;
  const formData = await request.formData();
  const intent = String(formData.get("intent") ?? "");
  const actor = actorOf(user);

  if (intent === "invite") {
    const submission = parseWithZod(formData, { schema: policy.inviteSchema });
    if (submission.status !== "success") {
      return data({ intent, result: submission.reply(), notice: null, error: null }, { status: 400 });
    }
    let key;
    try {
      key = idempotencyKeyOf(formData, user.id, "invite");
    } catch (error) {
      if (!(error instanceof IdempotencyError)) throw error;
      return data({ intent, result: submission.reply({ formErrors: [error.message] }), notice: null, error: null }, { status: 400 });
    }
    const outcome = await inviteAndSend(
      context,
      {
        email: submission.value.email,
        name: submission.value.name,
        role: submission.value.role,
        partnerId: "partnerId" in scope ? scope.partnerId : null,
        actor,
        inviterName: user.name,
      },
      key,
    );
    if (!outcome.ok) {
      const result =
        outcome.status === 409
          ? submission.reply({ fieldErrors: { email: [outcome.message] } })
          : submission.reply({ formErrors: [outcome.message] });
      return data({ intent, result, notice: null, error: null }, { status: outcome.status });
    }
    return data(
      {
        intent,
        result: submission.reply({ resetForm: true }),
        notice: `Invitation sent to ${submission.value.email.toLowerCase()}. The link works for 7 days.`,
        error: null,
      },
      // The kept entries are submitted now: the browser need not keep them any longer.
      { headers: keptEntriesDone({ request, context }) },
    );
  }

  if (intent === "revoke") {
    const id = idSchema.safeParse(formData.get("invitationId"));
    if (!id.success) notFound();
    const revoked = revokeInvitation(context.db, actor, id.data, scope);
    if (!revoked) notFound();
    return { intent, result: null, notice: `The invitation to ${revoked.email} is cancelled.`, error: null };
  }

  if (intent === "disable" || intent === "enable") {
    const userId = String(formData.get("userId") ?? "");
    const disabling = intent === "disable";
    // Disabling is a second step (docs/domain.md "Roles and tenancy"): the first answer shows
    // what it does and asks for the reason, which the audit log records.
    const reason = String(formData.get("reason") ?? "").trim();
    if (disabling && (formData.get("confirmed") !== "yes" || !reason)) {
      const person = findUserInScope(context.db, userId, scope);
      if (!person) notFound();
      return data(
        {
          intent,
          result: null,
          notice: null,
          error: null,
          confirmDisable: {
            userId: person.id,
            name: person.name,
            email: person.email,
            reasonError:
              formData.get("confirmed") !== "yes"
                ? null
                : "Write why you disable this account: the reason is recorded in the audit log.",
          },
        },
        { status: formData.get("confirmed") === "yes" ? 400 : 200 },
      );
    }
    if (reason.length > 500) {
      return data(
        { intent, result: null, notice: null, error: "Shorten the reason to 500 characters or fewer." },
        { status: 400 },
      );
    }
    try {
      const changed = setUserDisabled(context.db, actor, {
        userId,
        disabled: disabling,
        scope,
        reason: reason || null,
      });
      if (!changed) notFound();
      return {
        intent,
        result: null,
        notice: changed.disabled
          ? `${changed.name} is disabled and was signed out everywhere.`
          : `${changed.name} can sign in again.`,
        error: null,
      };
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      return data({ intent, result: null, notice: null, error: error.message }, { status: 400 });
    }
  }

  if (intent === "update" && policy.canEdit && "partnerId" in scope) {
    const submission = parseWithZod(formData, { schema: colleagueSchema });
    if (submission.status !== "success") {
      const error = Object.values(submission.error ?? {}).flat().filter(Boolean).join(" ") || "Check the form and try again.";
      return data({ intent, result: submission.reply(), notice: null, error }, { status: 400 });
    }
    const { userId, name, role, reportOptIn } = submission.value;
    try {
      const changed = updateColleague(context.db, actor, {
        userId,
        partnerId: scope.partnerId,
        changes: { name, role, reportOptIn: reportOptIn === "on" },
      });
      if (!changed) notFound();
      return {
        intent,
        result: submission.reply(),
        notice:
          changed.changed.length === 0
            ? `Nothing to change for ${changed.name}.`
            : `Saved ${changed.name}: ${changed.role === "partner_admin" ? "partner admin" : "partner user"}, ${
                changed.reportOptIn ? "receives" : "does not receive"
              } the monthly report by email.`,
        error: null,
      };
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      return data({ intent, result: submission.reply(), notice: null, error: error.message }, { status: 409 });
    }
  }

  return data(
    { intent, result: null, notice: null, error: "That action is not known. Reload the page and try again." },
    { status: 400 },
  );
}
