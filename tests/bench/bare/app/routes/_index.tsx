// The bare page: the session looked up by its primary key (the cookie's token, hashed as the
// portal does) and one indexed aggregate over the session's partner's deals.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { createHash } from "node:crypto";
import type Database from "better-sqlite3";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const sqlite = (context as unknown as { sqlite: Database.Database }).sqlite;
  const token = /(?:^|;\s*)pp_session=([^;]+)/.exec(request.headers.get("cookie") ?? "")?.[1] ?? "";
  const id = createHash("sha256").update(token).digest("hex");
  const session = sqlite
    .prepare("select u.partner_id as partnerId, u.name as name from sessions s join users u on u.id = s.user_id where s.id = ?")
    .get(id) as { partnerId: number | null; name: string } | undefined;
  if (!session) throw new Response("Not signed in", { status: 401 });
  const figures = sqlite
    .prepare("select count(*) as deals, coalesce(sum(amount_cents), 0) as cents from deals where partner_id = ? and stage = 'won'")
    .get(session.partnerId) as { deals: number; cents: number };
  return { name: session.name, ...figures };
}

export default function Index() {
  const data = useLoaderData<typeof loader>();
  return (
    <main>
      <h1>Hello, {data.name}</h1>
      <p>
        {data.deals} won deals, {(data.cents / 100).toFixed(2)} USD
      </p>
    </main>
  );
}
