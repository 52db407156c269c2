// The registration queue: submitted deals oldest first, a bounded page at a time (keyset
// cursors and filters in the URL, so it works without JavaScript), each row with its conflicts
// (computed for the whole page at once), and bulk approval of the conflict-free ones
// (re-checked one by one on the server).
import { KeysetPager } from "../components/keyset-pager";
import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { requireStaff } from "../auth/guards.server";
import { FormErrors } from "../components/forms";
import { actorOf } from "../domain/audit.server";
import { bulkApproveAndNotify } from "../domain/deal-notifications.server";
import { deliverQueued } from "../mail/outbox.server";
import { decodeCursor, registrationQueuePage } from "../domain/registration-queue.server";
import { daysBetween, formatDate, formatMoney } from "../domain/format";

export const meta: MetaFunction = () => [{ title: "Registrations · Partner team" }];

/** Age filters offered, in whole days waiting. */
const AGE_FILTERS = ["1", "3", "7", "14"] as const;
/** A registration waiting this many days or more is overdue for a decision. */
const WAITING_WARN_DAYS = 3;

const schema = z.object({
  intent: z.literal("bulk-approve"),
  dealId: z
    .array(z.coerce.number().int().positive(), { required_error: "Select at least one registration to approve." })
    .min(1, "Select at least one registration to approve."),
});

// An unknown value in the URL means "no filter", never an error page.
const filtersSchema = z.object({
  mine: z.literal("1").optional().catch(undefined),
  conflicts: z.literal("1").optional().catch(undefined),
  age: z.enum(AGE_FILTERS).optional().catch(undefined),
});

export async function loader(args: LoaderFunctionArgs) {
  const user = requireStaff(args);
  const { db } = args.context;
  const now = new Date();
  const params = new URL(args.request.url).searchParams;
  const filters = filtersSchema.parse(Object.fromEntries([...params].filter(([, v]) => v !== "")));
  const page = registrationQueuePage(
    db,
    { managerId: filters.mine ? user.id : undefined, conflictsOnly: !!filters.conflicts, minDays: filters.age ? Number(filters.age) : undefined },
    { after: decodeCursor(params.get("after")), before: decodeCursor(params.get("before")) },
    now,
  );
  const rows = page.rows.map((r) => ({
    id: r.id,
    title: r.title,
    domain: r.domain,
    partnerName: r.partnerName,
    partnerSlug: r.partnerSlug,
    amountCents: r.amountCents,
    currency: r.currency,
    submittedAt: new Date(r.submittedAt).toISOString(),
    daysWaiting: daysBetween(new Date(r.submittedAt), now),
    conflicted: r.conflicted,
    conflicts: r.labels,
    flaggedByPartner: r.conflictNote !== null,
  }));
  return {
    rows,
    total: page.total,
    next: page.next,
    prev: page.prev,
    filters: { mine: filters.mine ?? "", conflicts: filters.conflicts ?? "", age: filters.age ?? "" },
  };
}

/** The queue's URL for these filters at a cursor. */
function queueHref(filters: Record<string, string>, cursor?: { after?: string | null; before?: string | null }) {
  const q = new URLSearchParams(Object.entries(filters).filter(([, v]) => v));
  if (cursor?.after) q.set("after", cursor.after);
  if (cursor?.before) q.set("before", cursor.before);
  const s = q.toString();
  return s ? `?${s}` : "?";
}

export async function action(args: ActionFunctionArgs) {
  const user = requireStaff(args);
  const formData = await args.request.formData();
  const submission = parseWithZod(formData, { schema });
  if (submission.status !== "success") {
    return data({ result: submission.reply(), approved: [], skipped: [] }, { status: 400 });
  }
  // Each approval commits with its email to the partner (an outbox row); the drain follows.
  const { approved, skipped } = bulkApproveAndNotify(args.context, actorOf(user), submission.value.dealId);
  if (approved.length) await deliverQueued(args.context);
  return {
    result: submission.reply({ resetForm: true }),
    approved: approved.map((a) => ({ dealId: a.dealId, protectionEndsAt: a.protectionEndsAt.toISOString() })),
    skipped,
  };
}

export default function RegistrationQueue() {
  const { rows, total, next, prev, filters } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = navigation.state !== "idle" && navigation.formData?.get("intent") === "bulk-approve";
  const [form, fields] = useForm({
    id: "bulk-approve",
    lastResult: actionData?.result,
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
    shouldValidate: "onSubmit",
  });
  const approvable = rows.filter((r) => !r.conflicted).length;

  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Deal registrations</h1>
          <p className="muted">
            Waiting for a decision, oldest first. Approving starts the partner's protection window. Registrations with
            conflicts are decided one at a time on their own page.
          </p>
        </div>
      </div>

      {actionData && (actionData.approved.length > 0 || actionData.skipped.length > 0) ? (
        <div className="stack" role="status">
          {actionData.approved.length ? (
            <p className="notice">
              Approved {actionData.approved.length} {actionData.approved.length === 1 ? "registration" : "registrations"}
              : {actionData.approved.map((a) => `#${a.dealId}`).join(", ")}. Their partners are emailed.
            </p>
          ) : null}
          {actionData.skipped.length ? (
            <div className="form-error">
              <p style={{ margin: 0 }}>
                Skipped {actionData.skipped.length} {actionData.skipped.length === 1 ? "registration" : "registrations"}:
              </p>
              <ul style={{ margin: "0.25rem 0 0" }}>
                {actionData.skipped.map((s) => (
                  <li key={s.dealId}>
                    <Link to={`/internal/registrations/${s.dealId}`}>#{s.dealId}</Link>: {s.reason}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
        </div>
      ) : null}

      <Form
        method="get"
        className="card row"
        role="search"
        aria-label="Filter registrations"
        key={JSON.stringify(filters)}
        style={{ alignItems: "flex-end", flexWrap: "wrap" }}
      >
        <label className="row" style={{ gap: "0.35rem" }}>
          <input type="checkbox" name="mine" value="1" defaultChecked={filters.mine === "1"} />
          My partners only
        </label>
        <label className="row" style={{ gap: "0.35rem" }}>
          <input type="checkbox" name="conflicts" value="1" defaultChecked={filters.conflicts === "1"} />
          Conflicts only
        </label>
        <div className="field">
          <label htmlFor="age">Waiting at least</label>
          <select id="age" name="age" defaultValue={filters.age}>
            <option value="">Any time</option>
            {AGE_FILTERS.map((d) => (
              <option key={d} value={d}>
                {d} {d === "1" ? "day" : "days"}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="secondary">
          Filter
        </button>
        {Object.values(filters).some(Boolean) ? <Link to="?">Clear filters</Link> : null}
      </Form>

      <section className="card stack" aria-labelledby="queue-heading">
        <div className="page-head" style={{ marginBottom: 0 }}>
          <h2 id="queue-heading" style={{ margin: 0 }}>
            {total === null ? "Waiting" : `Waiting (${total})`}
          </h2>
          <p className="muted small" style={{ margin: 0 }}>
            {rows.length} shown, oldest first.
          </p>
        </div>
        {rows.length === 0 ? (
          <p className="muted">
            {Object.values(filters).some(Boolean) ? "No registrations waiting match these filters." : "No registrations are waiting."}
          </p>
        ) : (
          <Form method="post" {...getFormProps(form)} aria-label="Approve selected registrations" className="stack">
            <FormErrors errors={[...(form.errors ?? []), ...(fields.dealId.errors ?? [])]} id={form.errorId} />
            <input type="hidden" name="intent" value="bulk-approve" />
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">
                      <span className="visually-hidden">Select</span>
                    </th>
                    <th scope="col">Deal</th>
                    <th scope="col">Partner</th>
                    <th scope="col">Customer domain</th>
                    <th scope="col" className="num">
                      Amount
                    </th>
                    <th scope="col">Submitted</th>
                    <th scope="col">Waiting</th>
                    <th scope="col">Conflicts</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((r) => (
                    <tr key={r.id}>
                      <td>
                        {r.conflicted ? null : (
                          <>
                            <input type="checkbox" name="dealId" value={r.id} id={`select-${r.id}`} />
                            <label htmlFor={`select-${r.id}`} className="visually-hidden">
                              Select #{r.id} {r.title}
                            </label>
                          </>
                        )}
                      </td>
                      <td>
                        <Link to={`/internal/registrations/${r.id}`}>{r.title}</Link>
                        <div className="muted small">#{r.id}</div>
                      </td>
                      <td>
                        {r.partnerSlug ? (
                          <Link to={`/internal/partners/${r.partnerSlug}`}>{r.partnerName}</Link>
                        ) : (
                          <span className="muted">Direct</span>
                        )}
                      </td>
                      <td>{r.domain}</td>
                      <td className="num">{formatMoney(r.amountCents, r.currency)}</td>
                      <td>{formatDate(r.submittedAt)}</td>
                      <td>
                        <span className={`badge ${r.daysWaiting >= WAITING_WARN_DAYS ? "warn" : "neutral"}`}>
                          {r.daysWaiting} {r.daysWaiting === 1 ? "day" : "days"}
                        </span>
                      </td>
                      <td>
                        {r.conflicted ? (
                          <>
                            <span className="badge danger">Conflict</span>
                            <div className="small">{r.conflicts.join(" · ")}</div>
                          </>
                        ) : (
                          <span className="badge ok">None</span>
                        )}
                        {r.flaggedByPartner ? <div className="small muted">Partner left a note</div> : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div className="row">
              <button type="submit" disabled={busy || approvable === 0}>
                {busy ? "Approving…" : "Approve selected"}
              </button>
              <span className="muted small">
                {approvable} of {rows.length} shown {approvable === 1 ? "is" : "are"} free of conflicts. Each is checked
                again before it is approved.
              </span>
            </div>
          </Form>
        )}
        <KeysetPager prev={prev} next={next} hrefFor={(cursor) => queueHref(filters, cursor)} />
      </section>
    </div>
  );
}
