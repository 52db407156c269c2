import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { endSession } from "../auth/session.server";

export async function loader() {
  return redirect("/");
}

export async function action({ context }: ActionFunctionArgs) {
  if (!context.auth) return redirect("/login");
  const cookie = await endSession(
    context.db,
    context.config,
    context.auth.sessionId,
  );
  return redirect("/login", { headers: { "Set-Cookie": cookie } });
}
