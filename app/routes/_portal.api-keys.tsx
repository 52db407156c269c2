// API keys for a partner admin: keys limited to their own partner's deals (read, register,
// attribution), the same tenancy guards as the pages. Shown once, revocable.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { requirePartnerAdmin } from "../auth/guards.server";
import { handleKeyIntent } from "../api/key-actions.server";
import { listApiKeys } from "../api/keys.server";
import { ApiKeysTable, CreatedKeyNotice, CreateKeyForm, type KeyActionData } from "../components/api-keys";
import { actorOf } from "../domain/audit.server";
import { PARTNER_KEY_SCOPES } from "../../db/schema";

export const meta: MetaFunction = () => [{ title: "API keys · Partner Portal" }];

export async function loader(args: LoaderFunctionArgs) {
  const user = requirePartnerAdmin(args);
  return { keys: listApiKeys(args.context.db, { partnerId: user.partnerId }) };
}

export async function action(args: ActionFunctionArgs) {
  const user = requirePartnerAdmin(args);
  const answer = handleKeyIntent(args.context.db, actorOf(user), await args.request.formData(), { partnerId: user.partnerId });
  if (answer) return answer;
  throw new Response("Unknown action: reload the page.", { status: 400 });
}

export default function PartnerApiKeys() {
  const { keys } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as KeyActionData | undefined;
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>API keys</h1>
          <p className="muted" style={{ margin: 0 }}>
            Connect your CRM: a key reads and registers your own deals only. <a href="/api/v1/docs">API reference</a>
          </p>
        </div>
      </div>
      {actionData?.intent === "create-key" && actionData.created ? <CreatedKeyNotice created={actionData.created} /> : null}
      {actionData?.intent === "revoke-key" ? (
        <p className="notice" role="status">
          {actionData.message}
        </p>
      ) : null}
      <section className="card stack" aria-labelledby="keys-heading">
        <h2 id="keys-heading" style={{ margin: 0 }}>
          Your keys
        </h2>
        <ApiKeysTable keys={keys} showPartner={false} />
        <h3 style={{ margin: 0 }}>Create a key</h3>
        <CreateKeyForm scopes={PARTNER_KEY_SCOPES} actionData={actionData} />
      </section>
    </div>
  );
}
