// Monthly report delivery for the partner team: a period's deliveries by status (the queue is
// report_deliveries), the dead letters an admin can retry one by one or all at once ("Retry all
// failed") or give up ("Discard failed"), both after a confirmation step and audited, and "send
// this period now", which enqueues the period and drains the queue in the background of the
// server process so the page shows the progress on reload. A status filter is keyset-paged (50).
// One action, named intents; admins only.
import { parseWithZod } from "@conform-to/zod";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { forbidden, requireStaff } from "../auth/guards.server";
import { actorOf } from "../domain/audit.server";
import { addMonths, periodLabel } from "../domain/periods";
import { DELIVERY_STATUSES } from "../../db/schema";
import { previousPeriodIn, reportSchedule } from "../reports/delivery-schedule.server";
import { deliveriesRunning, kickDeliveries } from "../reports/delivery-worker.server";
import {
  deliveryCounts,
  DELIVERY_PAGE_SIZE,
  DeliveryError,
  discardFailedDeliveries,
  enqueuePeriod,
  listDeliveries,
  listDeliveriesPage,
  retryDelivery,
  retryFailedDeliveries,
  type DeliveryListRow,
} from "../reports/delivery.server";

export const meta: MetaFunction = () => [{ title: "Reports · Partner team" }];

/** Rows shown per status filter; a 10,000-partner period is read through the counts and filters. */
const ROW_LIMIT = 300;

type Status = (typeof DELIVERY_STATUSES)[number];

/** The months the page offers: the last 12 that have ended in the report time zone, newest first. */
function selectablePeriods(timezone: string, now = new Date()) {
  const last = previousPeriodIn(now, timezone);
  return Array.from({ length: 12 }, (_, i) => addMonths(last, -i));
}

const periodField = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "Choose a month.");
const schema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("retry"), id: z.coerce.number().int().positive(), period: periodField }),
  z.object({ intent: z.literal("send"), period: periodField }),
  z.object({
    intent: z.enum(["retry-failed", "discard-failed"]),
    period: periodField,
    confirmed: z.literal("yes").optional(),
  }),
]);

type ActionData = { error?: string; confirm?: { intent: "retry-failed" | "discard-failed"; period: string; label: string; count: number } };

export async function loader(args: LoaderFunctionArgs) {
  const user = requireStaff(args);
  const { db } = args.context;
  const url = new URL(args.request.url);
  const { timezone, cron } = reportSchedule(db);
  const periods = selectablePeriods(timezone);
  const requested = url.searchParams.get("period");
  if (requested !== null && !periods.includes(requested)) {
    throw new Response("Choose one of the last 12 months.", { status: 400 });
  }
  const period = requested ?? periods[0]!;
  const statusParam = url.searchParams.get("status");
  const status = DELIVERY_STATUSES.includes(statusParam as Status) ? (statusParam as Status) : undefined;
  const counts = deliveryCounts(db, period);
  const now = Date.now();
  const afterParam = url.searchParams.get("after");
  if (afterParam !== null && !/^\d{1,15}$/.test(afterParam)) {
    throw new Response("The page cursor is not valid: open the list from its first page.", { status: 400 });
  }
  // A status filter is read a page at a time (keyset on id); all statuses show the ones needing attention first.
  const page = status
    ? listDeliveriesPage(db, period, status, { after: afterParam === null ? undefined : Number(afterParam) })
    : { rows: listDeliveries(db, period, { limit: ROW_LIMIT }), next: null };
  const row = (r: DeliveryListRow) => ({
    id: r.id,
    partnerName: r.partnerName,
    partnerSlug: r.partnerSlug,
    kind: r.kind,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.status === "queued" && r.nextAttemptAt > now ? new Date(r.nextAttemptAt).toISOString() : null,
    error: r.error,
    sentAt: r.sentAt?.toISOString() ?? null,
    messageId: r.messageId,
  });
  return {
    isAdmin: user.role === "admin",
    period,
    periodLabel: periodLabel(period),
    periods: periods.map((p) => ({ value: p, label: periodLabel(p) })),
    schedule: { cron, timezone },
    status: status ?? null,
    counts,
    running: deliveriesRunning(),
    started: url.searchParams.get("started") === "1",
    limit: ROW_LIMIT,
    rows: page.rows.map(row),
    next: page.next,
    paged: afterParam !== null,
    pageSize: DELIVERY_PAGE_SIZE,
  };
}

export async function action(args: ActionFunctionArgs) {
  const user = requireStaff(args);
  if (user.role !== "admin") forbidden("Only program admins can send, retry or discard reports.");
  const ctx = args.context;
  const submission = parseWithZod(await args.request.formData(), { schema });
  if (submission.status !== "success") {
    return data<ActionData>({ error: "Choose a month and a delivery." }, { status: 400 });
  }
  const value = submission.value;
  if (value.intent === "retry-failed" || value.intent === "discard-failed") {
    // Both act on every failed delivery of the month: first say how many, then do it.
    const failed = deliveryCounts(ctx.db, value.period).failed;
    if (failed === 0) return data<ActionData>({ error: `There are no failed deliveries in ${periodLabel(value.period)}.` }, { status: 400 });
    if (value.confirmed !== "yes") return data<ActionData>({ confirm: { intent: value.intent, period: value.period, label: periodLabel(value.period), count: failed } });
  }
  try {
    if (value.intent === "retry-failed") {
      retryFailedDeliveries(ctx.db, actorOf(user), value.period);
    } else if (value.intent === "discard-failed") {
      discardFailedDeliveries(ctx.db, actorOf(user), value.period);
      return redirect(`/internal/reports?period=${value.period}&status=skipped`);
    } else if (value.intent === "retry") {
      retryDelivery(ctx.db, actorOf(user), value.id);
    } else {
      const { timezone } = reportSchedule(ctx.db);
      if (!selectablePeriods(timezone).includes(value.period)) {
        return data<ActionData>({ error: "Choose one of the last 12 months." }, { status: 400 });
      }
      enqueuePeriod(ctx.db, value.period);
    }
  } catch (error) {
    if (error instanceof DeliveryError) return data<ActionData>({ error: error.message }, { status: error.status });
    throw error;
  }
  // Not awaited: the queue drains in the server process while the partner team reloads the
  // page to watch the counts move. Failures end up in the rows, not here.
  kickDeliveries(ctx).catch((error) => console.error("[reports] background delivery failed:", error));
  return redirect(`/internal/reports?period=${value.period}${value.intent === "send" ? "&started=1" : ""}`);
}

const STATUS_BADGE: Record<Status, string> = {
  queued: "neutral",
  sending: "warn",
  sent: "ok",
  partial: "warn",
  skipped: "neutral",
  failed: "danger",
};

const STATUS_LABEL: Record<Status, string> = {
  queued: "Queued",
  sending: "Sending",
  sent: "Sent",
  partial: "Partly refused",
  skipped: "Skipped",
  failed: "Failed",
};

function formatInstant(iso: string | null) {
  if (!iso) return "—";
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

export default function Reports() {
  const { isAdmin, period, periodLabel, periods, schedule, status, counts, running, started, rows, limit, next, paged, pageSize } =
    useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as ActionData | undefined;
  const navigation = useNavigation();
  const busyIntent = navigation.state === "submitting" ? String(navigation.formData?.get("intent") ?? "") : null;
  const finished = counts.sent + counts.partial + counts.skipped + counts.failed;
  const shown = status ? counts[status] : counts.total;

  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Reports</h1>
          <p className="muted" style={{ margin: 0 }}>
            Monthly partner reports and the internal ecosystem report. Scheduled <code>{schedule.cron}</code> (
            {schedule.timezone}) for the month that just ended. Delivery is at least once: after a crash a report may
            arrive twice, always under the same Message-ID so mail clients show it once. Failures are retried with
            backoff for about three days and then end here as failed; refused recipients show as partly refused.
          </p>
        </div>
        <Form method="get" className="row" aria-label="Choose the month">
          <div className="field">
            <label htmlFor="period">Month</label>
            <select id="period" name="period" defaultValue={period}>
              {periods.map((p) => (
                <option key={p.value} value={p.value}>
                  {p.label}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="secondary">
            Show
          </button>
        </Form>
      </div>

      {actionData?.error ? (
        <p className="form-error" role="alert">
          {actionData.error}
        </p>
      ) : null}
      {actionData?.confirm ? (
        <Form method="post" className="info stack" role="alertdialog" aria-labelledby="confirm-text">
          <p id="confirm-text" style={{ margin: 0 }}>
            {actionData.confirm.intent === "discard-failed"
              ? `Discard the ${actionData.confirm.count} failed ${actionData.confirm.count === 1 ? "delivery" : "deliveries"} of ${actionData.confirm.label}? ${actionData.confirm.count === 1 ? "It" : "They"} will never be sent; the audit log records who discarded ${actionData.confirm.count === 1 ? "it" : "them"}.`
              : `Retry the ${actionData.confirm.count} failed ${actionData.confirm.count === 1 ? "delivery" : "deliveries"} of ${actionData.confirm.label} now, with a fresh count of attempts?`}
          </p>
          <input type="hidden" name="intent" value={actionData.confirm.intent} />
          <input type="hidden" name="period" value={actionData.confirm.period} />
          <input type="hidden" name="confirmed" value="yes" />
          <div className="row">
            <button type="submit" className={actionData.confirm.intent === "discard-failed" ? "danger" : undefined} autoFocus>
              {actionData.confirm.intent === "discard-failed" ? "Yes, discard" : "Yes, retry"}
            </button>
            <Link to={`?period=${actionData.confirm.period}&status=failed`}>Cancel</Link>
          </div>
        </Form>
      ) : null}
      {started || running ? (
        <p className="info" role="status">
          {running
            ? `Sending in progress: ${finished} of ${counts.total} done. Reload the page to see it move.`
            : `Sending ${periodLabel} has finished.`}
        </p>
      ) : null}

      <section className="card stack" aria-labelledby="counts-heading">
        <div className="page-head" style={{ marginBottom: 0 }}>
          <h2 id="counts-heading" style={{ margin: 0 }}>
            {periodLabel}
          </h2>
          <div className="row">
            <a href={`/internal/reports/ecosystem/${period}.pdf`} className="button secondary">
              Ecosystem report (PDF)
            </a>
            {isAdmin ? (
              <Form method="post">
                <input type="hidden" name="intent" value="send" />
                <input type="hidden" name="period" value={period} />
                <button type="submit" disabled={busyIntent === "send"}>
                  {busyIntent === "send" ? "Starting…" : "Send this period now"}
                </button>
              </Form>
            ) : null}
            {isAdmin && counts.failed > 0 ? (
              <Form method="post" className="row" aria-label="Failed deliveries">
                <input type="hidden" name="period" value={period} />
                <button type="submit" name="intent" value="retry-failed" className="secondary" disabled={busyIntent !== null}>
                  Retry all failed ({counts.failed})
                </button>
                <button type="submit" name="intent" value="discard-failed" className="secondary" disabled={busyIntent !== null}>
                  Discard failed ({counts.failed})
                </button>
              </Form>
            ) : null}
          </div>
        </div>
        {counts.total > 0 ? (
          <div className="progress" role="img" aria-label={`${finished} of ${counts.total} finished`}>
            <span style={{ width: `${Math.round((finished / counts.total) * 100)}%` }} />
          </div>
        ) : null}
        <nav aria-label="Filter by status" className="row">
          <Link to={`?period=${period}`} aria-current={status === null ? "page" : undefined} className="badge">
            All {counts.total}
          </Link>
          {DELIVERY_STATUSES.map((s) => (
            <Link
              key={s}
              to={`?period=${period}&status=${s}`}
              aria-current={status === s ? "page" : undefined}
              className={`badge ${STATUS_BADGE[s]}`}
            >
              {STATUS_LABEL[s]} {counts[s]}
            </Link>
          ))}
        </nav>
        {counts.total === 0 ? (
          <p className="muted">
            Nothing has been sent for {periodLabel} yet.
            {isAdmin ? " “Send this period now” queues every active partner's report." : ""}
          </p>
        ) : rows.length === 0 ? (
          <p className="muted">No {status ? STATUS_LABEL[status].toLowerCase() : ""} deliveries.</p>
        ) : (
          <div className="table-wrap">
            {!status && shown > limit ? (
              <p className="muted small">
                Showing {limit} of {shown}, the ones needing attention first. Filter by status to page through all.
              </p>
            ) : null}
            <table>
              <thead>
                <tr>
                  <th scope="col">Partner</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="num">
                    Attempts
                  </th>
                  <th scope="col">Next attempt</th>
                  <th scope="col">Error</th>
                  <th scope="col">Sent at</th>
                  <th scope="col">Message ID</th>
                  {isAdmin ? (
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.id}>
                    <td>
                      {r.partnerSlug ? (
                        <Link to={`/internal/partners/${r.partnerSlug}`}>{r.partnerName}</Link>
                      ) : (
                        <span className="muted">Partner team</span>
                      )}
                    </td>
                    <td>{r.kind === "ecosystem" ? "Ecosystem" : "Monthly"}</td>
                    <td>
                      <span className={`badge ${STATUS_BADGE[r.status]}`}>{STATUS_LABEL[r.status]}</span>
                    </td>
                    <td className="num">{r.attempts}</td>
                    <td>{formatInstant(r.nextAttemptAt)}</td>
                    <td className="small">{r.error ?? ""}</td>
                    <td>{formatInstant(r.sentAt)}</td>
                    <td className="small">
                      <code>{r.messageId ?? ""}</code>
                    </td>
                    {isAdmin ? (
                      <td>
                        {r.status === "failed" || r.status === "partial" ? (
                          <Form method="post">
                            <input type="hidden" name="intent" value="retry" />
                            <input type="hidden" name="id" value={r.id} />
                            <input type="hidden" name="period" value={period} />
                            <button type="submit" className="secondary" disabled={busyIntent === "retry"}>
                              Retry
                              <span className="visually-hidden"> {r.partnerName ?? "ecosystem report"}</span>
                            </button>
                          </Form>
                        ) : null}
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
            {status && (next !== null || paged) ? (
              <nav className="row" aria-label="Pages">
                {paged ? <Link to={`?period=${period}&status=${status}`}>First page</Link> : null}
                {next !== null ? (
                  <Link to={`?period=${period}&status=${status}&after=${next}`} rel="next">
                    Next {pageSize}
                  </Link>
                ) : null}
              </nav>
            ) : null}
          </div>
        )}
      </section>
    </div>
  );
}
