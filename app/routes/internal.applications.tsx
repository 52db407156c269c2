// The partner team's application queue: pending ones oldest first, each approved (partner
// created, contact invited) or declined with a reason the applicant receives; approved and
// declined ones newest decision first. A status at a time, 20 a page (keyset cursors in the URL).
import { KeysetPager } from "../components/keyset-pager";
import { getFormProps, getSelectProps, getTextareaProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { requireStaff } from "../auth/guards.server";
import { FieldError, FormErrors, humanize } from "../components/forms";
import {
  ApplicationError,
  applicationsPage,
  approveApplication,
  declineApplication,
  decodeApplicationCursor,
  possibleDuplicates,
} from "../domain/applications.server";
import { daysBetween, formatDate } from "../domain/format";
import { listManagers } from "../domain/partners.server";

/** The lists the page shows, one at a time (`?status=`; the queue when absent or unknown). */
const APPLICATION_LIST_STATUSES = ["pending", "approved", "declined"] as const;

export const meta: MetaFunction = () => [{ title: "Applications · Partner team" }];

const applicationId = z.coerce.number({ invalid_type_error: "Unknown application." }).int().positive();

const approveSchema = z.object({
  intent: z.literal("approve"),
  applicationId,
  managerId: z.string().optional(),
});

const declineSchema = z.object({
  intent: z.literal("decline"),
  applicationId,
  reason: z
    .string({
      required_error: "Give a reason: the applicant receives it by email.",
    })
    .trim()
    .min(10, "Write a reason of at least 10 characters: the applicant receives it by email.")
    .max(1000, "Shorten the reason to 1,000 characters or fewer."),
});

const schema = z.discriminatedUnion("intent", [approveSchema, declineSchema]);

export async function loader(args: LoaderFunctionArgs) {
  const user = requireStaff(args);
  const { db } = args.context;
  const now = Date.now();
  const params = new URL(args.request.url).searchParams;
  // An unknown status means the queue; a cursor that does not parse starts the list over.
  const status = (APPLICATION_LIST_STATUSES as readonly string[]).includes(params.get("status") ?? "")
    ? (params.get("status") as (typeof APPLICATION_LIST_STATUSES)[number])
    : "pending";
  const page = applicationsPage(db, status, {
    after: decodeApplicationCursor(params.get("after")),
    before: decodeApplicationCursor(params.get("before")),
  });
  const pendingRows = status === "pending" ? page.rows : [];
  // Shown on each application before anyone approves it.
  const duplicates = possibleDuplicates(db, pendingRows);
  const pending = pendingRows.map((a) => ({
    id: a.id,
    companyName: a.companyName,
    website: a.website,
    kind: a.kind,
    region: a.region,
    contactName: a.contactName,
    contactEmail: a.contactEmail,
    message: a.message,
    submittedOn: a.createdAt.toISOString(),
    daysWaiting: daysBetween(a.createdAt, now),
    duplicates: duplicates[a.id] ?? [],
  }));
  const decided = (status === "pending" ? [] : page.rows).map((a) => ({
    id: a.id,
    companyName: a.companyName,
    status: a.status,
    declineReason: a.declineReason,
    decidedOn: a.decidedAt?.toISOString() ?? null,
    decidedByName: a.decidedByName,
    partnerName: a.partnerName,
    partnerSlug: a.partnerSlug,
  }));
  // A partner manager who approves becomes the manager; an admin may pick one.
  const managers = user.role === "admin" ? listManagers(db).map((m) => ({ id: m.id, name: m.name, role: m.role })) : [];
  return {
    status,
    total: page.total,
    next: page.next,
    prev: page.prev,
    pending,
    decided,
    managers,
    approverIsManager: user.role === "partner_manager",
  };
}

export async function action(args: ActionFunctionArgs) {
  const user = requireStaff(args);
  const formData = await args.request.formData();
  const submission = parseWithZod(formData, { schema });
  const intent = formData.get("intent") === "approve" ? "approve" : "decline";
  const id = Number(formData.get("applicationId"));
  if (submission.status !== "success") {
    return data({ intent, applicationId: id, result: submission.reply(), notice: null }, { status: 400 });
  }
  const input = submission.value;
  try {
    if (input.intent === "approve") {
      const approved = await approveApplication(args.context, user, input.applicationId, {
        managerId: input.managerId || null,
      });
      return {
        intent,
        applicationId: id,
        result: submission.reply({ resetForm: true }),
        notice: approved.invitationSent
          ? `${approved.partner.name} is now an active partner; ${approved.contactEmail} was invited as its partner admin.`
          : `${approved.partner.name} is now an active partner, but the invitation email to ${approved.contactEmail} could not be sent. Invite them again from the partner's page.`,
        partnerSlug: approved.partner.slug,
      };
    }
    const declined = await declineApplication(args.context, user, input.applicationId, input.reason);
    return {
      intent,
      applicationId: id,
      result: submission.reply({ resetForm: true }),
      notice: declined.emailSent
        ? `The application from ${declined.companyName} was declined; ${declined.contactEmail} was emailed the reason.`
        : `The application from ${declined.companyName} was declined, but the email to ${declined.contactEmail} could not be sent.`,
    };
  } catch (error) {
    if (!(error instanceof ApplicationError)) throw error;
    return data(
      {
        intent,
        applicationId: id,
        result: submission.reply({ formErrors: [error.message] }),
        notice: null,
      },
      { status: error.status },
    );
  }
}

type Loader = ReturnType<typeof useLoaderData<typeof loader>>;
type ActionData = ReturnType<typeof useActionData<typeof action>>;

export default function Applications() {
  const { status, total, next, prev, pending, decided, managers, approverIsManager } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const pageHref = (cursor: { after?: string; before?: string }) =>
    `/internal/applications?${new URLSearchParams(
      Object.entries({
        status: status === "pending" ? "" : status,
        ...cursor,
      }).filter(([, v]) => v),
    )}`;
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Partner applications</h1>
          <p className="muted">
            Approving creates an active partner at the entry tier and invites the contact as its partner admin.
          </p>
        </div>
      </div>
      {actionData?.notice ? (
        <p className="notice" role="status">
          {actionData.notice}
          {"partnerSlug" in actionData && actionData.partnerSlug ? (
            <>
              {" "}
              <Link to={`/internal/partners/${actionData.partnerSlug}`}>Open the partner</Link>
            </>
          ) : null}
        </p>
      ) : null}
      {/* key: the select shows the URL's status again after back/forward navigation. */}
      <Form
        method="get"
        className="card row"
        role="search"
        aria-label="Filter applications"
        key={status}
        style={{ alignItems: "flex-end" }}
      >
        <div className="field" style={{ flex: "1 1 200px" }}>
          <label htmlFor="filter-status">Status</label>
          <select id="filter-status" name="status" defaultValue={status}>
            {APPLICATION_LIST_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s === "pending" ? "Waiting for a decision" : humanize(s)}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Show</button>
      </Form>
      {status === "pending" ? (
        <section aria-labelledby="pending-heading" className="stack">
          <h2 id="pending-heading">Waiting for a decision ({total})</h2>
          {pending.length === 0 ? <p className="muted card">No applications are waiting.</p> : null}
          {pending.map((application) => (
            <PendingApplication
              key={application.id}
              application={application}
              managers={managers}
              approverIsManager={approverIsManager}
              actionData={actionData?.applicationId === application.id ? actionData : undefined}
            />
          ))}
        </section>
      ) : (
        <section aria-labelledby="decided-heading" className="card">
          <h2 id="decided-heading">
            {humanize(status)} ({total})
          </h2>
          {decided.length === 0 ? (
            <p className="muted">No {status} applications yet.</p>
          ) : (
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Company</th>
                    <th scope="col">Decision</th>
                    <th scope="col">Decided</th>
                    <th scope="col">By</th>
                    <th scope="col">Outcome</th>
                  </tr>
                </thead>
                <tbody>
                  {decided.map((a) => (
                    <tr key={a.id}>
                      <td>{a.companyName}</td>
                      <td>
                        <span className={`badge ${a.status === "approved" ? "ok" : "neutral"}`}>{humanize(a.status)}</span>
                      </td>
                      <td>{formatDate(a.decidedOn)}</td>
                      <td>{a.decidedByName ?? "—"}</td>
                      <td>
                        {a.status === "approved" && a.partnerSlug ? (
                          <Link to={`/internal/partners/${a.partnerSlug}`}>{a.partnerName}</Link>
                        ) : (
                          <span className="small">{a.declineReason}</span>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      )}
      <KeysetPager prev={prev} next={next} hrefFor={pageHref} />
    </div>
  );
}

function PendingApplication({
  application: a,
  managers,
  approverIsManager,
  actionData,
}: {
  application: Loader["pending"][number];
  managers: Loader["managers"];
  approverIsManager: boolean;
  actionData: ActionData;
}) {
  const navigation = useNavigation();
  const busy =
    navigation.state !== "idle" && Number(navigation.formData?.get("applicationId")) === a.id
      ? String(navigation.formData?.get("intent"))
      : null;
  const [approveForm, approveFields] = useForm({
    id: `approve-${a.id}`,
    lastResult: actionData?.intent === "approve" ? actionData.result : undefined,
    constraint: getZodConstraint(approveSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: approveSchema }),
  });
  const [declineForm, declineFields] = useForm({
    id: `decline-${a.id}`,
    lastResult: actionData?.intent === "decline" ? actionData.result : undefined,
    constraint: getZodConstraint(declineSchema),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: declineSchema }),
  });
  const headingId = `application-${a.id}`;
  return (
    <article className="card stack" aria-labelledby={headingId}>
      <div className="page-head" style={{ marginBottom: 0 }}>
        <div>
          <h3 id={headingId}>{a.companyName}</h3>
          <p className="muted small">
            Applied {formatDate(a.submittedOn)} ·{" "}
            <span className={`badge ${a.daysWaiting >= 7 ? "warn" : "neutral"}`}>
              waiting {a.daysWaiting} {a.daysWaiting === 1 ? "day" : "days"}
            </span>
          </p>
        </div>
      </div>
      <dl className="facts">
        <dt>Website</dt>
        <dd>
          <a href={`https://${a.website}`} rel="noopener noreferrer nofollow" target="_blank">
            {a.website}
          </a>
        </dd>
        <dt>Kind</dt>
        <dd>{humanize(a.kind)}</dd>
        <dt>Region</dt>
        <dd>{a.region}</dd>
        <dt>Contact</dt>
        <dd>
          {a.contactName} &lt;{a.contactEmail}&gt;
        </dd>
        <dt>Message</dt>
        <dd style={{ whiteSpace: "pre-wrap" }}>{a.message || <span className="muted">None</span>}</dd>
      </dl>
      {a.duplicates.length > 0 ? (
        <div className="notice warn" role="note" aria-label={`Possible duplicates of ${a.companyName}`}>
          <p>
            <strong>Possible duplicates</strong> — check before approving:
          </p>
          <ul>
            {a.duplicates.map((d, i) => (
              <li key={i}>
                {d.kind === "partner" ? "Partner " : "Application from "}
                {d.partnerSlug ? <Link to={`/internal/partners/${d.partnerSlug}`}>{d.name}</Link> : d.name}
                {` (${humanize(d.status)}): ${d.reason}`}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <div className="grid-2">
        <Form method="post" className="form" {...getFormProps(approveForm)} aria-label={`Approve ${a.companyName}`}>
          <FormErrors errors={approveForm.errors} id={approveForm.errorId} />
          <input type="hidden" name="intent" value="approve" />
          <input type="hidden" name="applicationId" value={a.id} />
          {approverIsManager ? (
            <p className="muted small">You will be this partner's manager.</p>
          ) : (
            <div className="field">
              <label htmlFor={approveFields.managerId.id}>Partner manager</label>
              <select {...getSelectProps(approveFields.managerId)} key={approveFields.managerId.key}>
                <option value="">Assign later</option>
                {managers.map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.name}
                    {m.role === "admin" ? " (admin)" : ""}
                  </option>
                ))}
              </select>
              <FieldError meta={approveFields.managerId} />
            </div>
          )}
          <div>
            <button type="submit" disabled={busy !== null}>
              {busy === "approve" ? "Approving…" : "Approve"}
            </button>
          </div>
        </Form>
        <Form method="post" className="form" {...getFormProps(declineForm)} aria-label={`Decline ${a.companyName}`}>
          <FormErrors errors={declineForm.errors} id={declineForm.errorId} />
          <input type="hidden" name="intent" value="decline" />
          <input type="hidden" name="applicationId" value={a.id} />
          <div className="field">
            <label htmlFor={declineFields.reason.id}>Reason for declining</label>
            <textarea
              {...getTextareaProps(declineFields.reason, {
                ariaDescribedBy: `${declineFields.reason.id}-hint`,
              })}
              key={declineFields.reason.key}
            />
            <span className="hint" id={`${declineFields.reason.id}-hint`}>
              Sent to {a.contactEmail}.
            </span>
            <FieldError meta={declineFields.reason} />
          </div>
          <div>
            <button type="submit" className="danger" disabled={busy !== null}>
              {busy === "decline" ? "Declining…" : "Decline"}
            </button>
          </div>
        </Form>
      </div>
    </article>
  );
}
