// The API reference page (/api/v1/docs): readable HTML generated from the OpenAPI document
// itself, with no script and nothing loaded from elsewhere. Styles are attributes (the CSP
// allows style attributes, not <style> elements).
type Doc = { info: { title: string; version: string; description?: string }; paths?: Record<string, Record<string, any>>; components?: { schemas?: Record<string, unknown> } };

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const code = (v: unknown) => `<pre style="background:#f6f7f9;padding:.75rem;overflow:auto;border-radius:6px;font-size:.85rem">${esc(JSON.stringify(v, null, 2))}</pre>`;
const md = (s: string) => esc(s).replace(/`([^`]+)`/g, "<code>$1</code>");

export function apiReferenceHtml(document: object, _nonce?: string): string {
  const doc = document as Doc;
  const ops = Object.entries(doc.paths ?? {}).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path, method: method.toUpperCase(), op })),
  );
  const body = ops
    .map(({ path, method, op }) => {
      const params = (op.parameters ?? []) as { name: string; in: string; required?: boolean; description?: string; schema?: unknown }[];
      const reqBody = op.requestBody?.content?.["application/json"]?.schema;
      const responses = Object.entries(op.responses ?? {}) as [string, { description: string }][];
      return `<section id="${esc(op.operationId)}" style="border-top:1px solid #dde;padding:1rem 0">
<h2 style="font-size:1.1rem;margin:0 0 .25rem"><code>${esc(method)} ${esc(path)}</code></h2>
<p style="margin:.25rem 0">${md(op.summary ?? "")} — ${md(op.description ?? "")}</p>
${params.length ? `<h3 style="font-size:.95rem">Parameters</h3><ul>${params.map((p) => `<li><code>${esc(p.name)}</code> (${esc(p.in)}${p.required ? ", required" : ""})${p.description ? `: ${md(p.description)}` : ""}</li>`).join("")}</ul>` : ""}
${reqBody ? `<h3 style="font-size:.95rem">Request body</h3>${code(reqBody)}` : ""}
<h3 style="font-size:.95rem">Responses</h3><ul>${responses.map(([status, r]) => `<li><strong>${esc(status)}</strong> ${md(r.description)}</li>`).join("")}</ul>
</section>`;
    })
    .join("\n");
  const schemas = Object.entries(doc.components?.schemas ?? {})
    .map(([name, schema]) => `<section id="schema-${esc(name)}"><h3 style="font-size:1rem">${esc(name)}</h3>${code(schema)}</section>`)
    .join("\n");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(doc.info.title)} reference</title></head>
<body style="font-family:system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem;line-height:1.5;color:#1b1f24">
<main>
<h1>${esc(doc.info.title)} <small style="color:#667">v${esc(doc.info.version)}</small></h1>
<p>${md(doc.info.description ?? "")}</p>
<p>Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI 3.1).</p>
<h2 id="auth">Authentication</h2>
<p>Every call but this page and the document sends <code>Authorization: Bearer ppk_…</code>. Keys are created by admins in Settings → API (partner admins: Team → API keys) or with <code>npm run api -- key create --name crm --scopes deals:read,deals:write</code>.</p>
<h2 id="problems">Errors</h2>
<p>Errors are <code>application/problem+json</code> (RFC 9457): <code>title</code>, <code>status</code>, <code>detail</code> saying what to fix, and for invalid input <code>errors</code>, one <code>{field, message}</code> per field. 429 answers carry <code>Retry-After</code> (seconds).</p>
<h2 id="webhooks">Webhooks</h2>
<p>Signed per Standard Webhooks: headers <code>webhook-id</code>, <code>webhook-timestamp</code>, <code>webhook-signature: v1,&lt;base64 HMAC-SHA256 of id.timestamp.body&gt;</code> keyed with the base64 part of the endpoint's <code>whsec_…</code> secret. Body: <code>{"type", "timestamp", "data"}</code>. Event types: deal.registered, deal.approved, deal.rejected, deal.won, deal.lost, deal.expiring, tier.changed, partner.applied, report.sent.</p>
<h2 id="operations">Operations</h2>
<nav><ul>${ops.map(({ path, method, op }) => `<li><a href="#${esc(op.operationId)}"><code>${esc(method)} ${esc(path)}</code></a> ${md(op.summary ?? "")}</li>`).join("")}</ul></nav>
${body}
<h2 id="schemas">Schemas</h2>
${schemas}
</main></body></html>`;
}
