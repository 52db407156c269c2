// Settings → API, for program admins: API keys (created once-shown, scopes, last used, revoke),
// webhook endpoints (add with event types, secret shown once, delivery log with response codes,
// replay, disable/enable) and the switch that allows private webhook URLs (SSRF, off by default).
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { requireAdmin } from "../auth/guards.server";
import { handleKeyIntent } from "../api/key-actions.server";
import { listApiKeys } from "../api/keys.server";
import { ApiKeysTable, CreatedKeyNotice, CreateKeyForm, type KeyActionData } from "../components/api-keys";
import { actorOf } from "../domain/audit.server";
import { formatDate } from "../domain/format";
import { API_SCOPES, WEBHOOK_EVENT_TYPES } from "../../db/schema";
import { allowPrivateWebhookUrls, kickWebhooks } from "../webhooks/drain.server";
import {
  createWebhookEndpoint,
  decodeDeliveryCursor,
  endpointDeliveryPage,
  listWebhookEndpoints,
  replayWebhookDelivery,
  setAllowPrivateWebhookUrls,
  setWebhookEndpointEnabled,
  WebhookEndpointError,
} from "../webhooks/endpoints.server";

export const meta: MetaFunction = () => [{ title: "API · Partner team" }];

export async function loader(args: LoaderFunctionArgs) {
  requireAdmin(args);
  const { db } = args.context;
  // ?endpoint=<id>&after=|before=<cursor>: that endpoint's delivery log at a page (the others at
  // their newest); a cursor that does not parse starts the log over.
  const params = new URL(args.request.url).searchParams;
  const paged = Number(params.get("endpoint"));
  return {
    keys: listApiKeys(db, { partnerId: null }),
    allowPrivate: allowPrivateWebhookUrls(db),
    endpoints: listWebhookEndpoints(db).map((e) => {
      const dir = e.id === paged ? { after: decodeDeliveryCursor(params.get("after")), before: decodeDeliveryCursor(params.get("before")) } : {};
      const page = endpointDeliveryPage(db, e.id, dir, 10);
      return { ...e, deliveries: page.rows, next: page.next, prev: page.prev };
    }),
  };
}

type EndpointActionData =
  | { intent: "add-endpoint"; secret: string | null; errors: Partial<Record<"url" | "eventTypes" | "form", string>>; values?: { url: string; description: string; eventTypes: string[] } }
  | { intent: "endpoint"; message: string };

export async function action(args: ActionFunctionArgs) {
  const user = requireAdmin(args);
  const { db } = args.context;
  const actor = actorOf(user);
  const form = await args.request.formData();
  const keyAnswer = handleKeyIntent(db, actor, form, { partnerId: null });
  if (keyAnswer) return keyAnswer;
  const intent = form.get("intent");
  try {
    if (intent === "add-endpoint") {
      const values = { url: String(form.get("url") ?? ""), description: String(form.get("description") ?? ""), eventTypes: form.getAll("eventTypes").map(String) };
      try {
        const made = await createWebhookEndpoint(db, actor, values);
        return data<EndpointActionData>({ intent: "add-endpoint", secret: made.secret, errors: {} });
      } catch (error) {
        if (!(error instanceof WebhookEndpointError)) throw error;
        return data<EndpointActionData>({ intent: "add-endpoint", secret: null, errors: { [error.field ?? "form"]: error.message }, values }, { status: 400 });
      }
    }
    if (intent === "replay") {
      replayWebhookDelivery(db, actor, Number(form.get("deliveryId")));
      void kickWebhooks({ db });
      return data<EndpointActionData>({ intent: "endpoint", message: "Delivery queued again: it is sent now, with the same webhook-id." });
    }
    if (intent === "disable" || intent === "enable") {
      setWebhookEndpointEnabled(db, actor, Number(form.get("endpointId")), intent === "enable");
      return data<EndpointActionData>({ intent: "endpoint", message: intent === "enable" ? "Endpoint enabled." : "Endpoint disabled: no deliveries until you enable it." });
    }
    if (intent === "private-urls") {
      const allow = form.get("allow") === "1";
      setAllowPrivateWebhookUrls(db, actor, allow);
      return data<EndpointActionData>({ intent: "endpoint", message: allow ? "Private, loopback and link-local webhook URLs are now allowed." : "Private webhook URLs are refused again." });
    }
  } catch (error) {
    if (error instanceof WebhookEndpointError) return data<EndpointActionData>({ intent: "endpoint", message: error.message }, { status: error.status });
    throw error;
  }
  return data({ intent: "endpoint", message: "Unknown action: reload the page." } as EndpointActionData, { status: 400 });
}

export default function ApiSettings() {
  const { keys, allowPrivate, endpoints } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as KeyActionData | EndpointActionData | undefined;
  const keyData = actionData && (actionData.intent === "create-key" || actionData.intent === "revoke-key") ? actionData : undefined;
  const add = actionData?.intent === "add-endpoint" ? actionData : null;
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>API</h1>
          <p className="muted" style={{ margin: 0 }}>
            Keys for the REST API and signed webhooks for your CRM. <a href="/api/v1/docs">API reference</a> ·{" "}
            <a href="/api/v1/openapi.json">OpenAPI document</a> · <Link to="/internal/settings">Back to settings</Link>
          </p>
        </div>
      </div>
      {keyData?.intent === "create-key" && keyData.created ? <CreatedKeyNotice created={keyData.created} /> : null}
      {keyData?.intent === "revoke-key" || actionData?.intent === "endpoint" ? (
        <p className="notice" role="status">
          {(actionData as { message: string }).message}
        </p>
      ) : null}
      <section className="card stack" aria-labelledby="keys-heading">
        <h2 id="keys-heading" style={{ margin: 0 }}>
          API keys
        </h2>
        <ApiKeysTable keys={keys} showPartner />
        <h3 style={{ margin: 0 }}>Create a key</h3>
        <CreateKeyForm scopes={API_SCOPES} actionData={keyData} />
      </section>
      <section className="card stack" aria-labelledby="hooks-heading">
        <h2 id="hooks-heading" style={{ margin: 0 }}>
          Webhook endpoints
        </h2>
        {add?.secret ? (
          <div className="notice stack" role="status">
            <p style={{ margin: 0 }}>Endpoint added. Its signing secret, shown only this once:</p>
            <label htmlFor="endpoint-secret">Signing secret</label>
            <input id="endpoint-secret" readOnly value={add.secret} style={{ fontFamily: "monospace" }} />
          </div>
        ) : null}
        {endpoints.length === 0 ? <p className="muted">No endpoints yet.</p> : null}
        {endpoints.map((e) => (
          <article key={e.id} id={`endpoint-${e.id}`} className="stack" aria-label={`Endpoint ${e.url}`} style={{ borderTop: "1px solid var(--border, #dde)", paddingTop: "0.75rem" }}>
            <p style={{ margin: 0, overflowWrap: "anywhere" }}>
              <strong>{e.url}</strong> {e.description ? <span className="muted">— {e.description}</span> : null}
            </p>
            <p className="muted" style={{ margin: 0 }}>
              {e.eventTypes.join(", ")} ·{" "}
              {e.disabledAt ? `Disabled ${formatDate(new Date(e.disabledAt))}${e.disabledReason ? `: ${e.disabledReason}` : ""}` : e.failingSince ? `Failing since ${formatDate(new Date(e.failingSince))}` : "Active"}
            </p>
            <Form method="post">
              <input type="hidden" name="endpointId" value={e.id} />
              <button type="submit" name="intent" value={e.disabledAt ? "enable" : "disable"} className="secondary">
                {e.disabledAt ? "Enable" : "Disable"} <span className="visually-hidden">{e.url}</span>
              </button>
            </Form>
            {e.deliveries.length ? (
              <div className="table-wrap">
                <table>
                  <caption className="visually-hidden">Latest deliveries to {e.url}</caption>
                  <thead>
                    <tr>
                      <th scope="col">Event</th>
                      <th scope="col">Status</th>
                      <th scope="col">Attempts (response codes)</th>
                      <th scope="col">
                        <span className="visually-hidden">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {e.deliveries.map((d) => (
                      <tr key={d.id}>
                        <td>
                          {d.eventType} <code className="muted">{d.eventId}</code>
                        </td>
                        <td>
                          {d.status}
                          {d.lastError ? <span className="muted"> — {d.lastError}</span> : null}
                        </td>
                        <td>{d.attemptLog.map((a) => a.statusCode ?? "no answer").join(" ← ") || "none yet"}</td>
                        <td>
                          <Form method="post">
                            <input type="hidden" name="deliveryId" value={d.id} />
                            <button type="submit" name="intent" value="replay" className="secondary" disabled={d.status === "sending"} aria-label={`Replay ${d.eventType} ${d.eventId}`}>
                              Replay
                            </button>
                          </Form>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : (
              <p className="muted">No deliveries yet.</p>
            )}
            {e.next || e.prev ? (
              <nav aria-label={`Deliveries to ${e.url}, pages`} className="row" style={{ justifyContent: "space-between" }}>
                {e.prev ? (
                  <Link to={`?endpoint=${e.id}&before=${e.prev}#endpoint-${e.id}`} rel="prev" preventScrollReset>
                    ← Newer deliveries
                  </Link>
                ) : (
                  <span className="muted" aria-disabled="true">
                    ← Newer deliveries
                  </span>
                )}
                {e.next ? (
                  <Link to={`?endpoint=${e.id}&after=${e.next}#endpoint-${e.id}`} rel="next" preventScrollReset>
                    Older deliveries →
                  </Link>
                ) : (
                  <span className="muted" aria-disabled="true">
                    Older deliveries →
                  </span>
                )}
              </nav>
            ) : null}
          </article>
        ))}
        <h3 style={{ margin: 0 }}>Add an endpoint</h3>
        <Form method="post" className="stack" aria-label="Add a webhook endpoint">
          {add?.errors.form ? <p className="error" role="alert">{add.errors.form}</p> : null}
          <div className="field">
            <label htmlFor="endpoint-url">URL</label>
            <input id="endpoint-url" name="url" type="url" required placeholder="https://crm.example.com/hooks/portal" defaultValue={add?.values?.url} aria-invalid={!!add?.errors.url || undefined} aria-describedby={add?.errors.url ? "endpoint-url-error" : undefined} />
            {add?.errors.url ? (
              <span className="error" id="endpoint-url-error" role="alert">
                {add.errors.url}
              </span>
            ) : null}
          </div>
          <div className="field">
            <label htmlFor="endpoint-description">Description (optional)</label>
            <input id="endpoint-description" name="description" maxLength={200} defaultValue={add?.values?.description} />
          </div>
          <fieldset className="field" aria-describedby={add?.errors.eventTypes ? "endpoint-types-error" : undefined}>
            <legend>Event types</legend>
            {WEBHOOK_EVENT_TYPES.map((t) => (
              <label key={t} style={{ display: "block" }}>
                <input type="checkbox" name="eventTypes" value={t} defaultChecked={add?.values?.eventTypes.includes(t)} /> <code>{t}</code>
              </label>
            ))}
            {add?.errors.eventTypes ? (
              <span className="error" id="endpoint-types-error" role="alert">
                {add.errors.eventTypes}
              </span>
            ) : null}
          </fieldset>
          <div>
            <button type="submit" name="intent" value="add-endpoint">
              Add endpoint
            </button>
          </div>
        </Form>
        <Form method="post" className="stack" aria-label="Private webhook URLs">
          <p style={{ margin: 0 }}>
            Private, loopback and link-local webhook URLs are <strong>{allowPrivate ? "allowed" : "refused"}</strong> (refusing them keeps webhooks from
            reaching internal services).
          </p>
          <input type="hidden" name="allow" value={allowPrivate ? "0" : "1"} />
          <div>
            <button type="submit" name="intent" value="private-urls" className="secondary">
              {allowPrivate ? "Refuse private URLs" : "Allow private URLs"}
            </button>
          </div>
        </Form>
      </section>
    </div>
  );
}
