import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { clearDraft, clearOwner } from "../auth/form-draft.server";
import { cookiesAreSecure } from "../auth/lucia.server";
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
  // Entries kept from an ended session belong to the person leaving: they go with them.
  const secure = cookiesAreSecure(context.config);
  const headers = new Headers([
    ["Set-Cookie", cookie],
    ["Set-Cookie", clearDraft(secure)],
    ["Set-Cookie", clearOwner(secure)],
  ]);
  return redirect("/login", { headers });
}
