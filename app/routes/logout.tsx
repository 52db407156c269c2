import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { endSession } from "../auth/session.server";

export async function loader() {
  return redirect("/");
}

export async function action({ context }: ActionFunctionArgs) {
  if (!context.auth) return redirect("/login");
  const cookie = await endSession(
    context.db,
    { secureCookies: context.config.APP_URL.startsWith("https:") },
    context.auth.sessionId,
  );
  return redirect("/login", { headers: { "Set-Cookie": cookie } });
}
