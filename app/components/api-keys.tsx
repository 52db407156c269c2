// The API keys table and the create form, shared by Settings → API (program keys) and the
// partner admin's API keys page (keys limited to their own partner's deals).
import { Form } from "@remix-run/react";
import { formatDate } from "../domain/format";

export type KeyRow = {
  id: number;
  name: string;
  prefix: string;
  scopes: string[];
  partnerName: string | null;
  createdAt: Date | string;
  lastUsedAt: Date | string | null;
  revokedAt: Date | string | null;
};

export type KeyActionData =
  | { intent: "create-key"; created: { name: string; key: string } | null; errors: Partial<Record<"name" | "scopes" | "form", string>>; values?: { name: string; scopes: string[] } }
  | { intent: "revoke-key"; message: string };

export function CreatedKeyNotice({ created }: { created: { name: string; key: string } }) {
  return (
    <div className="notice stack" role="status">
      <p style={{ margin: 0 }}>
        Key <strong>{created.name}</strong> created. Copy it now: it is shown only this once.
      </p>
      <label htmlFor="created-key">Your new API key</label>
      <input id="created-key" readOnly value={created.key} onFocus={(e) => e.currentTarget.select()} style={{ fontFamily: "monospace" }} />
    </div>
  );
}

export function ApiKeysTable({ keys, showPartner }: { keys: KeyRow[]; showPartner: boolean }) {
  if (keys.length === 0) return <p className="muted">No API keys yet.</p>;
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Key</th>
            <th scope="col">Scopes</th>
            {showPartner ? <th scope="col">Limited to</th> : null}
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => (
            <tr key={k.id}>
              <td>{k.name}</td>
              <td>
                <code>{k.prefix}…</code>
              </td>
              <td>{k.scopes.join(", ")}</td>
              {showPartner ? <td>{k.partnerName ?? "Whole program"}</td> : null}
              <td>{formatDate(new Date(k.createdAt))}</td>
              <td>{k.lastUsedAt ? formatDate(new Date(k.lastUsedAt)) : "Never"}</td>
              <td>
                {k.revokedAt ? (
                  <span className="muted">Revoked {formatDate(new Date(k.revokedAt))}</span>
                ) : (
                  <Form method="post">
                    <input type="hidden" name="id" value={k.id} />
                    <button type="submit" name="intent" value="revoke-key" className="secondary" aria-label={`Revoke the key ${k.name}`}>
                      Revoke
                    </button>
                  </Form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function CreateKeyForm({ scopes, actionData }: { scopes: readonly string[]; actionData: KeyActionData | undefined }) {
  const create = actionData?.intent === "create-key" && !actionData.created ? actionData : null;
  return (
    <Form method="post" className="stack" aria-label="Create an API key">
      {create?.errors.form ? (
        <p className="error" role="alert">
          {create.errors.form}
        </p>
      ) : null}
      <div className="field">
        <label htmlFor="key-name">Name</label>
        <input id="key-name" name="name" required maxLength={60} defaultValue={create?.values?.name} aria-invalid={!!create?.errors.name || undefined} aria-describedby={create?.errors.name ? "key-name-error" : undefined} />
        {create?.errors.name ? (
          <span className="error" id="key-name-error" role="alert">
            {create.errors.name}
          </span>
        ) : null}
      </div>
      <fieldset className="field" aria-describedby={create?.errors.scopes ? "key-scopes-error" : undefined}>
        <legend>Scopes</legend>
        {scopes.map((s) => (
          <label key={s} style={{ display: "block" }}>
            <input type="checkbox" name="scopes" value={s} defaultChecked={create?.values?.scopes.includes(s)} /> <code>{s}</code>
          </label>
        ))}
        {create?.errors.scopes ? (
          <span className="error" id="key-scopes-error" role="alert">
            {create.errors.scopes}
          </span>
        ) : null}
      </fieldset>
      <div>
        <button type="submit" name="intent" value="create-key">
          Create key
        </button>
      </div>
    </Form>
  );
}
