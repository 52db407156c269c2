import type { LoaderFunctionArgs } from "@remix-run/node";
import { sql } from "drizzle-orm";

export async function loader({ context }: LoaderFunctionArgs) {
  context.db.get(sql`select 1`);
  return new Response("ok", { headers: { "Cache-Control": "no-store", "Content-Type": "text/plain" } });
}
