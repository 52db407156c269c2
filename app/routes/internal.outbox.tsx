// The outbox (decision 0018): every email the program sends is a row of the outbox queue, shown
// here with its status, attempts and last error, filtered by status, newest first a page at a
// time (keyset on id, fast at any size); admins retry dead letters (selected or all) and
// discard messages, each after a confirmation step and with an audit entry. Without SMTP the
// sender writes each message to a folder instead, and the lower part of the page reads it.
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { DELIVERY_STATUSES } from "../../db/schema";
import { requireAdmin, requireStaff } from "../auth/guards.server";
import { actorOf } from "../domain/audit.server";
import { listOutbox } from "../mailer.server";
import {
  discardMessages,
  kickOutbox,
  listOutboxMessages,
  outboxCounts,
  OutboxError,
  retryMessages,
  transportOf,
} from "../mail/outbox.server";
import { reportQueueSummary } from "../reports/delivery.server";

type Status = (typeof DELIVERY_STATUSES)[number];

const STATUS_LABEL: Record<Status, string> = {
  queued: "Queued",
  sending: "Sending",
  sent: "Sent",
  partial: "Partly refused",
  skipped: "Discarded",
  failed: "Failed (dead)",
};
const STATUS_BADGE: Record<Status, string> = {
  queued: "neutral",
  sending: "warn",
  sent: "ok",
  partial: "warn",
  skipped: "neutral",
  failed: "danger",
};

function queueFromUrl(url: URL) {
  const raw = url.searchParams.get("status");
  const status = (DELIVERY_STATUSES as readonly string[]).includes(raw ?? "") ? (raw as Status) : undefined;
  const beforeRaw = url.searchParams.get("before");
  const before = beforeRaw && /^\d{1,15}$/.test(beforeRaw) ? Number(beforeRaw) : undefined;
  return { status, before };
}

type ActionData = { error?: string; confirm?: { intent: "retry" | "retry-dead" | "discard"; ids: number[]; count: number } };

export async function action(args: ActionFunctionArgs) {
  const user = requireAdmin(args, "Only program admins can retry or discard emails.");
  const form = await args.request.formData();
  const intent = String(form.get("intent") ?? "");
  const ids = form
    .getAll("id")
    .map(String)
    .filter((v) => /^\d{1,15}$/.test(v))
    .map(Number);
  const confirmed = form.get("confirmed") === "yes";
  const back = new URL(args.request.url);
  if (intent !== "retry" && intent !== "retry-dead" && intent !== "discard")
    return data<ActionData>({ error: "Unknown action: choose Retry or Discard." }, { status: 400 });
  if (intent !== "retry-dead" && ids.length === 0)
    return data<ActionData>({ error: "Select at least one message first (the boxes in the first column)." }, { status: 400 });
  const { db } = args.context;
  if (!confirmed) {
    const count = intent === "retry-dead" ? outboxCounts(db).failed : ids.length;
    if (count === 0) return data<ActionData>({ error: "There are no failed messages to retry." }, { status: 400 });
    return data<ActionData>({ confirm: { intent, ids, count } });
  }
  try {
    const actor = actorOf(user);
    if (intent === "discard") discardMessages(db, actor, ids);
    else retryMessages(db, actor, intent === "retry-dead" ? { allDead: true } : { ids });
  } catch (error) {
    if (error instanceof OutboxError) return data<ActionData>({ error: error.message }, { status: error.status });
    throw error;
  }
  if (intent !== "discard") kickOutbox({ db, config: args.context.config, transport: transportOf(args.context.mailer) });
  return redirect(`${back.pathname}${back.search}`);
}

export const meta: MetaFunction = () => [{ title: "Outbox · Partner team" }];

const LIST_LIMIT = 200;

function formatInstant(iso: string) {
  return new Date(iso).toLocaleString("en-GB", {
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZone: "UTC",
    timeZoneName: "short",
  });
}

export async function loader(args: LoaderFunctionArgs) {
  const user = requireStaff(args);
  const { mailer, config, db } = args.context;
  const url = new URL(args.request.url);
  const filter = queueFromUrl(url);
  const page = listOutboxMessages(db, filter);
  const queue = {
    isAdmin: user.role === "admin",
    status: filter.status ?? null,
    counts: outboxCounts(db),
    rows: page.rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      to: r.to,
      subject: r.subject,
      status: r.status,
      attempts: r.attempts,
      nextAttemptAt: r.status === "queued" ? new Date(r.nextAttemptAt).toISOString() : null,
      error: r.error,
      messageId: r.messageId,
      createdAt: r.createdAt.toISOString(),
    })),
    next: page.next,
    reports: reportQueueSummary(db),
  };
  if (mailer.kind !== "outbox") return { kind: "smtp" as const, queue };

  const id = url.searchParams.get("id");
  const entries = listOutbox(config.OUTBOX_DIR, LIST_LIMIT);
  const messages = entries.map((m) => ({ id: m.id, date: m.date, to: m.to, subject: m.subject }));
  if (!id) return { kind: "outbox" as const, queue, messages, selected: null, missing: false };

  // An older message than the list shows can still be opened by its link.
  const found = entries.find((m) => m.id === id) ?? listOutbox(config.OUTBOX_DIR, Infinity).find((m) => m.id === id);
  const selected = found
    ? {
        id: found.id,
        date: found.date,
        to: found.to,
        subject: found.subject,
        text: found.text,
        html: found.html,
        attachments: found.attachments,
      }
    : null;
  const payload = { kind: "outbox" as const, queue, messages, selected, missing: !found };
  return found ? payload : data(payload, { status: 404 });
}

/** The monthly reports' queue (report_deliveries) beside the emails: counts, and what is not done yet. */
function ReportsSection({ reports }: { reports: ReturnType<typeof useLoaderData<typeof loader>>["queue"]["reports"] }) {
  return (
    <section className="card stack" aria-labelledby="reports-queue-heading">
      <h2 id="reports-queue-heading" style={{ margin: 0 }}>
        Monthly reports
      </h2>
      <p className="muted small" style={{ margin: 0 }}>
        Reports are queued per partner and month and sent by the same sender, at least once. Retry them per month on{" "}
        <Link to="/internal/reports">Reports</Link>.
      </p>
      <p className="row" style={{ margin: 0 }} aria-label="Report deliveries by status">
        <span className="badge">All {reports.counts.total}</span>
        {DELIVERY_STATUSES.map((s) => (
          <span key={s} className={`badge ${STATUS_BADGE[s]}`}>
            {STATUS_LABEL[s]} {reports.counts[s]}
          </span>
        ))}
      </p>
      {reports.open.length ? (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Report deliveries not sent yet or needing attention, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Report</th>
                <th scope="col">Month</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last error</th>
              </tr>
            </thead>
            <tbody>
              {reports.open.map((r) => (
                <tr key={r.id}>
                  <td>{r.kind === "ecosystem" ? "Ecosystem report" : (r.partnerName ?? "—")}</td>
                  <td>
                    <Link to={`/internal/reports?period=${r.period}`}>{r.period}</Link>
                  </td>
                  <td>
                    <span className={`badge ${STATUS_BADGE[r.status]}`}>{STATUS_LABEL[r.status]}</span>
                  </td>
                  <td className="num">{r.attempts}</td>
                  <td className="small">{r.error ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="muted" style={{ margin: 0 }}>
          Every report is sent or discarded.
        </p>
      )}
    </section>
  );
}

function QueueSection({ queue }: { queue: ReturnType<typeof useLoaderData<typeof loader>>["queue"] }) {
  const actionData = useActionData<typeof action>();
  const total = Object.values(queue.counts).reduce((a, b) => a + b, 0);
  const filterLink = (status: Status | null) => (status ? `?status=${status}` : "?");
  return (
    <section className="card stack" aria-labelledby="queue-heading">
      <h2 id="queue-heading" style={{ margin: 0 }}>
        Queue
      </h2>
      <p className="muted small" style={{ margin: 0 }}>
        Delivery is at least once: after a crash a message may arrive twice, always under the same Message-ID. Temporary
        failures are retried with growing pauses for about three days, then the message is failed (dead).
      </p>
      <nav aria-label="Filter by status" className="row">
        <Link to={filterLink(null)} aria-current={queue.status === null ? "page" : undefined} className="badge">
          All {total}
        </Link>
        {DELIVERY_STATUSES.map((s) => (
          <Link key={s} to={filterLink(s)} aria-current={queue.status === s ? "page" : undefined} className={`badge ${STATUS_BADGE[s]}`}>
            {STATUS_LABEL[s]} {queue.counts[s]}
          </Link>
        ))}
      </nav>
      {actionData?.error ? (
        <p className="form-error" role="alert">
          {actionData.error}
        </p>
      ) : null}
      {actionData?.confirm ? (
        <Form method="post" className="info stack" role="alertdialog" aria-labelledby="confirm-text">
          <p id="confirm-text" style={{ margin: 0 }}>
            {actionData.confirm.intent === "discard"
              ? `Discard ${actionData.confirm.count} ${actionData.confirm.count === 1 ? "message" : "messages"}? They will never be sent.`
              : `Retry ${actionData.confirm.count} ${actionData.confirm.count === 1 ? "message" : "messages"} now, with a fresh count of attempts?`}
          </p>
          <input type="hidden" name="intent" value={actionData.confirm.intent} />
          <input type="hidden" name="confirmed" value="yes" />
          {actionData.confirm.ids.map((id) => (
            <input key={id} type="hidden" name="id" value={id} />
          ))}
          <div className="row">
            <button type="submit" className={actionData.confirm.intent === "discard" ? "danger" : undefined} autoFocus>
              {actionData.confirm.intent === "discard" ? "Yes, discard" : "Yes, retry"}
            </button>
            <Link to={filterLink(queue.status)}>Cancel</Link>
          </div>
        </Form>
      ) : null}
      {queue.rows.length === 0 ? (
        <p className="muted">No {queue.status ? STATUS_LABEL[queue.status].toLowerCase() : ""} messages.</p>
      ) : (
        <Form method="post" className="stack">
          {queue.isAdmin ? (
            <div className="row">
              <button type="submit" name="intent" value="retry" className="secondary">
                Retry selected
              </button>
              <button type="submit" name="intent" value="discard" className="secondary">
                Discard selected
              </button>
              <button type="submit" name="intent" value="retry-dead" className="secondary" disabled={queue.counts.failed === 0}>
                Retry all dead ({queue.counts.failed})
              </button>
            </div>
          ) : null}
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  {queue.isAdmin ? (
                    <th scope="col">
                      <span className="visually-hidden">Select</span>
                    </th>
                  ) : null}
                  <th scope="col">Created</th>
                  <th scope="col">Kind</th>
                  <th scope="col">To</th>
                  <th scope="col">Subject</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="num">
                    Attempts
                  </th>
                  <th scope="col">Next attempt</th>
                  <th scope="col">Last error / refused recipients</th>
                  <th scope="col">Message ID</th>
                </tr>
              </thead>
              <tbody>
                {queue.rows.map((r) => (
                  <tr key={r.id}>
                    {queue.isAdmin ? (
                      <td>
                        <input
                          type="checkbox"
                          name="id"
                          value={r.id}
                          id={`select-${r.id}`}
                          aria-label={`Select “${r.subject}” to ${r.to.join(", ")}`}
                        />
                      </td>
                    ) : null}
                    <td style={{ whiteSpace: "nowrap" }}>{formatInstant(r.createdAt)}</td>
                    <td>
                      <code>{r.kind}</code>
                    </td>
                    <td>{r.to.join(", ")}</td>
                    <td>{r.subject}</td>
                    <td>
                      <span className={`badge ${STATUS_BADGE[r.status]}`}>{STATUS_LABEL[r.status]}</span>
                    </td>
                    <td className="num">{r.attempts}</td>
                    <td style={{ whiteSpace: "nowrap" }}>{r.nextAttemptAt ? formatInstant(r.nextAttemptAt) : "—"}</td>
                    <td className="small">{r.error ?? ""}</td>
                    <td className="small">
                      <code>{r.messageId ?? ""}</code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {queue.next !== null ? (
            <Link to={`?${queue.status ? `status=${queue.status}&` : ""}before=${queue.next}`}>Older messages</Link>
          ) : null}
        </Form>
      )}
    </section>
  );
}

export default function Outbox() {
  const loaderData = useLoaderData<typeof loader>();
  if (loaderData.kind === "smtp") {
    return (
      <div className="stack">
        <div className="page-head">
          <h1>Outbox</h1>
        </div>
        <QueueSection queue={loaderData.queue} />
        <ReportsSection reports={loaderData.queue.reports} />
        <p className="info">
          Email is delivered through the configured SMTP server, so no copies are kept in the outbox folder. Check
          the mail server's logs to follow a message.
        </p>
      </div>
    );
  }
  const { messages, selected, missing, queue } = loaderData;
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Outbox</h1>
          <p className="muted">
            No SMTP server is configured: emails are written to the outbox folder instead of being sent.
            {messages.length >= LIST_LIMIT ? ` The newest ${LIST_LIMIT} are listed.` : null}
          </p>
        </div>
      </div>
      <QueueSection queue={queue} />
      <ReportsSection reports={queue.reports} />
      {missing ? (
        <p className="form-error" role="alert">
          That message is not in the outbox.
        </p>
      ) : null}
      {selected ? (
        <section className="card stack" aria-labelledby="message-subject">
          <div>
            <h2 id="message-subject">{selected.subject}</h2>
            <dl className="facts">
              <dt>To</dt>
              <dd>{selected.to.join(", ")}</dd>
              <dt>Date</dt>
              <dd>{formatInstant(selected.date)}</dd>
              <dt>Attachments</dt>
              <dd>
                {selected.attachments.length ? (
                  <ul style={{ margin: 0, paddingLeft: "1.1rem" }}>
                    {selected.attachments.map((name) => (
                      <li key={name}>{name}</li>
                    ))}
                  </ul>
                ) : (
                  "None"
                )}
              </dd>
            </dl>
          </div>
          <div className="row">
            <a className="button secondary" href={`/internal/outbox/${selected.id}.eml`} download={`${selected.id}.eml`}>
              Download .eml
            </a>
            <Link to="/internal/outbox">Close</Link>
          </div>
          <div className="grid-2">
            <div>
              <h3>HTML</h3>
              {/* sandbox="": no scripts, no forms, no same-origin access, no navigation. */}
              <iframe
                title={`HTML version of “${selected.subject}”`}
                sandbox=""
                srcDoc={selected.html}
                style={{ width: "100%", height: "480px", border: "1px solid var(--border)", borderRadius: "8px", background: "#fff" }}
              />
            </div>
            <div>
              <h3>Text</h3>
              <pre
                style={{
                  whiteSpace: "pre-wrap",
                  margin: 0,
                  padding: "0.75rem",
                  border: "1px solid var(--border)",
                  borderRadius: "8px",
                  maxHeight: "480px",
                  overflow: "auto",
                  fontSize: "0.85rem",
                }}
              >
                {selected.text}
              </pre>
            </div>
          </div>
        </section>
      ) : null}
      <section className="card" aria-label="Outbox folder">
        <h2>Outbox folder</h2>
        {messages.length === 0 ? (
          <p className="muted">No emails have been written yet.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Date</th>
                  <th scope="col">To</th>
                  <th scope="col">Subject</th>
                </tr>
              </thead>
              <tbody>
                {messages.map((m) => (
                  <tr key={m.id} aria-current={selected?.id === m.id ? "true" : undefined}>
                    <td style={{ whiteSpace: "nowrap" }}>{formatInstant(m.date)}</td>
                    <td>{m.to.join(", ")}</td>
                    <td>
                      <Link to={`?id=${encodeURIComponent(m.id)}`} preventScrollReset={false}>
                        {m.subject || "(no subject)"}
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
