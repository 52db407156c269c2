// The outbox: without SMTP every email is written to a folder instead of sent; this page lets
// the partner team read what the program would have sent (and download the .eml).
import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireStaff } from "../auth/guards.server";
import { listOutbox } from "../mailer.server";

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
  requireStaff(args);
  const { mailer, config } = args.context;
  if (mailer.kind !== "outbox") return { kind: "smtp" as const };

  const id = new URL(args.request.url).searchParams.get("id");
  const entries = listOutbox(config.OUTBOX_DIR, LIST_LIMIT);
  const messages = entries.map((m) => ({ id: m.id, date: m.date, to: m.to, subject: m.subject }));
  if (!id) return { kind: "outbox" as const, messages, selected: null, missing: false };

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
  const payload = { kind: "outbox" as const, messages, selected, missing: !found };
  return found ? payload : data(payload, { status: 404 });
}

export default function Outbox() {
  const loaderData = useLoaderData<typeof loader>();
  if (loaderData.kind === "smtp") {
    return (
      <div className="stack">
        <div className="page-head">
          <h1>Outbox</h1>
        </div>
        <p className="info">
          Email is delivered through the configured SMTP server, so nothing is kept here. Check the mail
          server's logs to follow a message.
        </p>
      </div>
    );
  }
  const { messages, selected, missing } = loaderData;
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
      <section className="card" aria-label="Messages">
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
