// The create/revoke intents of both API key pages: the same validation and answers, with the
// partner scope taken from the page's guard (null on Settings → API).
import { data } from "@remix-run/node";
import type { DB } from "../db.server";
import type { Actor } from "../domain/audit.server";
import type { KeyActionData } from "../components/api-keys";
import { ApiKeyError, createApiKey, revokeApiKey } from "./keys.server";

export function handleKeyIntent(db: DB, actor: Actor, form: FormData, scope: { partnerId: number | null }) {
  const intent = form.get("intent");
  if (intent === "create-key") {
    const name = String(form.get("name") ?? "");
    const scopes = form.getAll("scopes").map(String);
    try {
      const created = createApiKey(db, actor, { name, scopes, partnerId: scope.partnerId });
      return data<KeyActionData>({ intent: "create-key", created: { name: created.name, key: created.key }, errors: {} });
    } catch (error) {
      if (!(error instanceof ApiKeyError)) throw error;
      return data<KeyActionData>(
        { intent: "create-key", created: null, errors: { [error.field ?? "form"]: error.message }, values: { name, scopes } },
        { status: error.status },
      );
    }
  }
  if (intent === "revoke-key") {
    const id = Number(form.get("id"));
    try {
      const revoked = revokeApiKey(db, actor, id, scope);
      return data<KeyActionData>({ intent: "revoke-key", message: revoked ? "Key revoked: calls with it are refused from now on." : "That key was already revoked." });
    } catch (error) {
      if (!(error instanceof ApiKeyError)) throw error;
      return data<KeyActionData>({ intent: "revoke-key", message: error.message }, { status: error.status });
    }
  }
  return null;
}
