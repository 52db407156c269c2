// One partner as the partner team sees it — the one place to prepare a partner call: facts,
// credited revenue, deals by stage, tier history, long-tail flag, people, report deliveries,
// and the team's actions on it (status, manager, growth plays, inviting its users). One
// action, named intents; the read-only sections are in sections.tsx, their data in queries.server.ts.
import { getFormProps, getSelectProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { GROWTH_PLAY_STATUSES } from "../../../db/schema";
import { forbidden, notFound, requireStaff } from "../../auth/guards.server";
import { inviteSchemaFor } from "../../components/team-page";
import { keptEntries, keptEntriesDone } from "../../auth/kept-entries.server";
import { Field, FormErrors, humanize, SelectField } from "../../components/forms";
import { PeopleTable } from "../../components/team-tables";
import { actorOf } from "../../domain/audit.server";
import { formatDate } from "../../domain/format";
import { GrowthPlayError, listGrowthPlays, setGrowthPlayStatus } from "../../domain/growth-plays.server";
import { IDEMPOTENCY_FIELD } from "../../domain/idempotency";
import { IdempotencyError, idempotencyKeyOf, newIdempotencyToken } from "../../domain/idempotency.server";
import { inviteAndSend, listOpenInvitations } from "../../domain/invitations.server";
import { FLAG_LABEL } from "../../domain/long-tail";
import { ConversionNote, MissingRatesWarning } from "../../components/missing-rates-warning";
import { missingRates } from "../../domain/money.server";
import {
  findPartnerBySlug,
  getPartnerDetail,
  listManagers,
  PartnerChangeError,
  setPartnerManager,
  setPartnerStatus,
} from "../../domain/partners.server";
import { deliveriesSection, longTailSection, revenueSection, stageDeals, tierHistorySection } from "./queries.server";
import { DeliveriesSection, LongTailSection, RevenueSection, StagesSection, TierHistorySection } from "./sections";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.partner.name ?? "Partner"} · Partner team` },
];

const INVITE_ROLES = ["partner_admin", "partner_user"] as const;

const statusSchema = z.object({
  intent: z.literal("status"),
  status: z.enum(["active", "suspended", "churned"], { message: "Choose a status." }),
});
const managerSchema = z.object({
  intent: z.literal("manager"),
  managerId: z.string().optional(),
});
const inviteSchema = inviteSchemaFor(INVITE_ROLES, "Choose a role: partner user or partner admin.");
const playStatusSchema = z.object({
  intent: z.literal("play-status"),
  playId: z.coerce.number().int().positive(),
  status: z.enum(GROWTH_PLAY_STATUSES, { errorMap: () => ({ message: "Choose a status." }) }),
});
const schema = z.discriminatedUnion("intent", [statusSchema, managerSchema, inviteSchema, playStatusSchema]);

export async function loader(args: LoaderFunctionArgs) {
  const user = requireStaff(args);
  const { db } = args.context;
  const detail = getPartnerDetail(db, args.params.slug ?? "");
  if (!detail) notFound();
  const { partner, people, stages } = detail;
  const now = new Date();
  const revenue = revenueSection(db, partner.id, now);
  return {
    revenue,
    canAddRates: user.role === "admin",
    selectedStage: stageDeals(db, partner.id, new URL(args.request.url).searchParams),
    tierHistory: tierHistorySection(db, partner.id, revenue.currency),
    deliveries: deliveriesSection(db, partner.id),
    longTail: longTailSection(db, partner.id, now),
    partner: {
      name: partner.name,
      slug: partner.slug,
      kind: partner.kind,
      region: partner.region,
      status: partner.status,
      website: partner.website,
      joinedOn: partner.joinedOn,
      reportFormat: partner.reportFormat,
      tier: partner.tier,
      managerId: partner.managerId,
      managerName: partner.managerName,
    },
    people: people.map((p) => ({
      id: p.id,
      name: p.name,
      email: p.email,
      role: p.role,
      disabledAt: p.disabledAt,
      twoFactor: p.twoFactor,
    })),
    invitations: listOpenInvitations(db, { partnerId: partner.id }).map((i) => ({
      id: i.id,
      name: i.name,
      email: i.email,
      role: i.role,
      sentOn: i.createdAt.toISOString(),
      expired: i.expired,
    })),
    stages,
    missingRates: missingRates(db, { partnerId: partner.id }, now),
    growthPlays: listGrowthPlays(db, partner.id).map((g) => ({
      id: g.id,
      flag: g.flag,
      nextAction: g.nextAction,
      status: g.status,
      ownerName: g.ownerName,
      createdOn: g.createdAt.toISOString(),
    })),
    canChangeManager: user.role === "admin",
    managers: user.role === "admin" ? listManagers(db).map((m) => ({ id: m.id, name: m.name, role: m.role })) : [],
    // One per render: a double click or a retry of the invite form sends one invitation.
    idempotencyToken: newIdempotencyToken(),
    // What was typed in the invite form before the session ended, for this user only.
    keptInvite: keptEntries(args, user.id, "invite"),
  };
}

export async function action(args: ActionFunctionArgs) {
  const user = requireStaff(args);
  const { db } = args.context;
  const partner = findPartnerBySlug(db, args.params.slug ?? "");
  if (!partner) notFound();
  const formData = await args.request.formData();
  const submission = parseWithZod(formData, { schema });
  const intent = String(formData.get("intent") ?? "");
  if (submission.status !== "success") {
    return data({ intent, result: submission.reply(), notice: null }, { status: 400 });
  }
  const input = submission.value;
  const actor = actorOf(user);

  if (input.intent === "status") {
    setPartnerStatus(db, actor, partner.id, input.status);
    const notice =
      input.status === "active"
        ? `${partner.name} is active again; its users can sign in.`
        : input.status === "suspended"
          ? `${partner.name} is suspended; its users were signed out and cannot sign in.`
          : `${partner.name} is marked as churned; its users were signed out and cannot sign in.`;
    return { intent, result: submission.reply(), notice };
  }

  if (input.intent === "play-status") {
    try {
      setGrowthPlayStatus(db, actor, partner.id, input.playId, input.status);
    } catch (error) {
      if (!(error instanceof GrowthPlayError)) throw error;
      return data({ intent, result: submission.reply({ formErrors: [error.message] }), notice: null }, { status: 404 });
    }
    return { intent, result: submission.reply(), notice: `The growth play is now ${humanize(input.status).toLowerCase()}.` };
  }

  if (input.intent === "manager") {
    if (user.role !== "admin") forbidden("Only program admins can change a partner's manager.");
    try {
      setPartnerManager(db, actor, partner.id, input.managerId || null);
    } catch (error) {
      if (!(error instanceof PartnerChangeError)) throw error;
      return data({ intent, result: submission.reply({ formErrors: [error.message] }), notice: null }, { status: 400 });
    }
    return { intent, result: submission.reply(), notice: "The partner manager was updated." };
  }

  if (partner.status !== "active") {
    return data(
      {
        intent,
        result: submission.reply({ formErrors: [`Reactivate ${partner.name} before inviting its users.`] }),
        notice: null,
      },
      { status: 409 },
    );
  }
  let key;
  try {
    key = idempotencyKeyOf(formData, user.id, "invite");
  } catch (error) {
    if (!(error instanceof IdempotencyError)) throw error;
    return data({ intent, result: submission.reply({ formErrors: [error.message] }), notice: null }, { status: 400 });
  }
  const outcome = await inviteAndSend(
    args.context,
    { email: input.email, name: input.name, role: input.role, partnerId: partner.id, actor, inviterName: user.name },
    key,
  );
  if (!outcome.ok) {
    return data({ intent, result: submission.reply({ formErrors: [outcome.message] }), notice: null }, { status: outcome.status });
  }
  // The kept entries are submitted now: the browser need not keep them any longer.
  return data(
    { intent, result: submission.reply({ resetForm: true }), notice: `Invitation sent to ${outcome.email}.` },
    { headers: keptEntriesDone(args) },
  );
}

const STATUS_BADGE: Record<string, string> = { active: "ok", suspended: "warn", churned: "neutral", applied: "" };

export default function PartnerDetail() {
  const {
    partner,
    people,
    invitations,
    stages,
    growthPlays,
    canChangeManager,
    managers,
    revenue,
    selectedStage,
    tierHistory,
    deliveries,
    longTail,
    missingRates: missing,
    canAddRates,
    idempotencyToken,
    keptInvite,
  } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const busyIntent = navigation.state === "submitting" ? String(navigation.formData?.get("intent")) : null;

  const [inviteForm, inviteFields] = useForm({
    id: "invite",
    lastResult: actionData?.intent === "invite" ? actionData.result : undefined,
    constraint: getZodConstraint(inviteSchema),
    defaultValue: { role: "partner_user", ...keptInvite },
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: inviteSchema }),
  });
  const [managerForm, managerFields] = useForm({
    id: "manager",
    lastResult: actionData?.intent === "manager" ? actionData.result : undefined,
  });
  const [statusForm] = useForm({
    id: "status",
    lastResult: actionData?.intent === "status" ? actionData.result : undefined,
  });

  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <p className="small">
            <Link to="/internal/partners">← All partners</Link>
          </p>
          <h1>{partner.name}</h1>
          <p className="muted">
            <span className={`badge ${STATUS_BADGE[partner.status] ?? ""}`}>{humanize(partner.status)}</span>{" "}
            {partner.tier} tier · {humanize(partner.kind)} · {partner.region}
          </p>
        </div>
        <Form method="post" className="row" {...getFormProps(statusForm)} aria-label="Partner status">
          <input type="hidden" name="intent" value="status" />
          {partner.status === "active" ? (
            <button
              type="submit"
              name="status"
              value="suspended"
              className="secondary"
              disabled={busyIntent !== null}
              onClick={(e) => {
                if (!window.confirm(`Suspend ${partner.name}? Its users are signed out at once.`)) e.preventDefault();
              }}
            >
              Suspend
            </button>
          ) : (
            <button type="submit" name="status" value="active" disabled={busyIntent !== null}>
              Reactivate
            </button>
          )}
          {partner.status !== "churned" ? (
            <button
              type="submit"
              name="status"
              value="churned"
              className="danger"
              disabled={busyIntent !== null}
              onClick={(e) => {
                if (!window.confirm(`Mark ${partner.name} as churned? Its users are signed out at once.`))
                  e.preventDefault();
              }}
            >
              Mark churned
            </button>
          ) : null}
        </Form>
      </div>

      {actionData?.notice ? (
        <p className="notice" role="status">
          {actionData.notice}
        </p>
      ) : null}
      <FormErrors errors={statusForm.errors} id={statusForm.errorId} />

      <div className="grid-2">
        <section className="card" aria-labelledby="facts-heading">
          <h2 id="facts-heading">Facts</h2>
          <dl className="facts">
            <dt>Slug</dt>
            <dd>
              <code>{partner.slug}</code>
            </dd>
            <dt>Website</dt>
            <dd>
              {partner.website ? (
                <a href={`https://${partner.website}`} rel="noopener noreferrer nofollow" target="_blank">
                  {partner.website}
                </a>
              ) : (
                "—"
              )}
            </dd>
            <dt>Kind</dt>
            <dd>{humanize(partner.kind)}</dd>
            <dt>Region</dt>
            <dd>{partner.region}</dd>
            <dt>Tier</dt>
            <dd>{partner.tier}</dd>
            <dt>Joined</dt>
            <dd>{formatDate(partner.joinedOn)}</dd>
            <dt>Monthly report</dt>
            <dd>{partner.reportFormat === "off" ? "Off" : partner.reportFormat === "pdf" ? "Email with PDF" : "Email"}</dd>
            <dt>Partner manager</dt>
            <dd>{partner.managerName ?? <span className="muted">None assigned</span>}</dd>
          </dl>
          {canChangeManager ? (
            <Form
              method="post"
              className="form"
              style={{ marginTop: "1rem" }}
              {...getFormProps(managerForm)}
              aria-label="Change partner manager"
            >
              <FormErrors errors={managerForm.errors} id={managerForm.errorId} />
              <input type="hidden" name="intent" value="manager" />
              <div className="field">
                <label htmlFor={managerFields.managerId.id}>Assigned partner manager</label>
                <div className="row">
                  <select
                    {...getSelectProps(managerFields.managerId)}
                    // Remounted when the manager changes, so it shows the saved one.
                    key={`${managerFields.managerId.key}-${partner.managerId}`}
                    defaultValue={partner.managerId ?? ""}
                    style={{ width: "auto", flex: 1 }}
                  >
                    <option value="">No manager</option>
                    {managers.map((m) => (
                      <option key={m.id} value={m.id}>
                        {m.name}
                        {m.role === "admin" ? " (admin)" : ""}
                      </option>
                    ))}
                  </select>
                  <button type="submit" className="secondary" disabled={busyIntent !== null}>
                    {busyIntent === "manager" ? "Saving…" : "Change manager"}
                  </button>
                </div>
              </div>
            </Form>
          ) : null}
        </section>
        <LongTailSection longTail={longTail} />
      </div>

      <MissingRatesWarning missing={missing} canAddRates={canAddRates} />
      <RevenueSection revenue={revenue} />

      <div className="grid-2">
        <div className="stack">
          <StagesSection stages={stages} selected={selectedStage} currency={revenue.currency} />
          <ConversionNote currency={revenue.currency} />
        </div>
        <TierHistorySection history={tierHistory} />
      </div>

      <section className="card" aria-labelledby="growth-plays-heading">
        <h2 id="growth-plays-heading">Growth plays</h2>
        {actionData?.intent === "play-status" && actionData.result.error ? (
          <FormErrors errors={Object.values(actionData.result.error).flat().filter((e): e is string => typeof e === "string")} />
        ) : null}
        {growthPlays.length === 0 ? (
          <p className="muted">
            No growth plays yet. Record one from the long tail on <Link to="/internal/ecosystem">Ecosystem health</Link>.
          </p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">About</th>
                  <th scope="col">Next action</th>
                  <th scope="col">Owner</th>
                  <th scope="col">Recorded</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {growthPlays.map((g) => (
                  <tr key={g.id}>
                    <td>{g.flag in FLAG_LABEL ? FLAG_LABEL[g.flag as keyof typeof FLAG_LABEL] : humanize(g.flag)}</td>
                    <td>{g.nextAction}</td>
                    <td>{g.ownerName ?? <span className="muted">Nobody</span>}</td>
                    <td>{formatDate(g.createdOn)}</td>
                    <td>
                      <Form method="post" className="row" aria-label={`Status of growth play ${g.id}`}>
                        <input type="hidden" name="intent" value="play-status" />
                        <input type="hidden" name="playId" value={g.id} />
                        <label className="visually-hidden" htmlFor={`play-status-${g.id}`}>
                          Status
                        </label>
                        <select id={`play-status-${g.id}`} name="status" defaultValue={g.status} key={`${g.id}-${g.status}`} style={{ width: "auto" }}>
                          {GROWTH_PLAY_STATUSES.map((st) => (
                            <option key={st} value={st}>
                              {humanize(st)}
                            </option>
                          ))}
                        </select>
                        <button type="submit" className="secondary" disabled={busyIntent !== null}>
                          {busyIntent === "play-status" && navigation.formData?.get("playId") === String(g.id) ? "Saving…" : "Update"}
                        </button>
                      </Form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="card" aria-labelledby="people-heading">
        <h2 id="people-heading">Users</h2>
        {people.length === 0 ? (
          <p className="muted">No one from {partner.name} has an account yet.</p>
        ) : (
          <PeopleTable people={people} />
        )}
        {invitations.length > 0 ? (
          <>
            <h3 style={{ marginTop: "1.25rem" }}>Open invitations</h3>
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Email</th>
                    <th scope="col">Role</th>
                    <th scope="col">Sent</th>
                  </tr>
                </thead>
                <tbody>
                  {invitations.map((i) => (
                    <tr key={i.id}>
                      <td>{i.name}</td>
                      <td>{i.email}</td>
                      <td>{humanize(i.role)}</td>
                      <td>
                        {formatDate(i.sentOn)} {i.expired ? <span className="badge warn">Expired</span> : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        ) : null}
      </section>

      <DeliveriesSection deliveries={deliveries} />

      <section className="card" aria-labelledby="invite-heading">
        <h2 id="invite-heading">Invite a user</h2>
        {partner.status !== "active" ? (
          <p className="muted">Reactivate {partner.name} before inviting its users.</p>
        ) : (
          <Form method="post" className="form" {...getFormProps(inviteForm)}>
            {keptInvite ? (
              <p className="info" role="status">
                Your entries from before your session ended are filled in below. Check them and send the invitation.
              </p>
            ) : null}
            <FormErrors errors={inviteForm.errors} id={inviteForm.errorId} />
            <input type="hidden" name="intent" value="invite" />
            <input type="hidden" name={IDEMPOTENCY_FIELD} value={idempotencyToken} />
            <Field meta={inviteFields.name} label="Name" autoComplete="off" />
            <Field meta={inviteFields.email} label="Email" type="email" autoComplete="off" />
            <SelectField
              meta={inviteFields.role}
              label="Role"
              options={[
                { value: "partner_user", label: "Partner user: registers deals, sees the company's reports" },
                { value: "partner_admin", label: "Partner admin: also manages the company's team" },
              ]}
            />
            <div>
              <button type="submit" disabled={busyIntent !== null}>
                {busyIntent === "invite" ? "Sending…" : "Send invitation"}
              </button>
            </div>
          </Form>
        )}
      </section>
    </div>
  );
}
