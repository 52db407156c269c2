// The guards every loader and action starts with. They read the session the server already
// validated (context.auth) and throw: a redirect to sign-in for anonymous visitors, 403 for a
// signed-in user on the wrong side. Tenant scope (partnerId) comes only from here.
// A form posted after the session ended keeps its entries (form-draft.server.ts) on the way to
// sign-in; a background request (a fetcher, a resource URL) gets a 401 JSON answer instead of a
// redirect, so the page it was made from stays where it is.
import { redirect, type AppLoadContext } from "@remix-run/node";
import { formPagePath, keepDraft } from "./form-draft.server";
import { cookiesAreSecure } from "./lucia.server";
import type { SessionUser } from "./session.server";

type Args = { request: Request; context: AppLoadContext };
/** `background`: the caller is a fetch made by a page, never a page the browser shows. */
type GuardOptions = { background?: boolean };

export const SIGNED_OUT_MESSAGE = "You are signed out. Sign in again to continue.";

export type PartnerUser = SessionUser & {
  role: "partner_user" | "partner_admin";
  partnerId: number;
  partnerName: string;
  partnerSlug: string;
};
export type StaffUser = SessionUser & { role: "partner_manager" | "admin"; partnerId: null };

export const isStaffRole = (role: string) => role === "partner_manager" || role === "admin";

export function homeFor(user: SessionUser) {
  return isStaffRole(user.role) ? "/internal" : "/dashboard";
}

export function forbidden(message = "You do not have access to this page."): never {
  throw new Response(message, { status: 403, statusText: "Forbidden" });
}

export function notFound(message = "Not found."): never {
  throw new Response(message, { status: 404, statusText: "Not Found" });
}

export function requireUser({ request, context }: Args, options: GuardOptions = {}): SessionUser {
  if (context.auth) return context.auth.user;
  if (options.background) {
    throw Response.json(
      { status: "signed_out", message: SIGNED_OUT_MESSAGE },
      { status: 401, headers: { "Cache-Control": "no-store" } },
    );
  }
  const back = formPagePath(request.url);
  const headers = new Headers();
  const posted = context.signedOutForm;
  // Entries are kept only for a known user: with nobody to give them back to, the next person
  // to sign in in this browser could be someone else (form-draft.server.ts).
  if (posted && posted.endedUserId !== null && request.method !== "GET" && request.method !== "HEAD") {
    const cookie = keepDraft(
      { path: back, owner: posted.endedUserId, form: posted.fields },
      { secret: context.config.APP_SECRET, secure: cookiesAreSecure(context.config) },
    );
    if (cookie) headers.append("Set-Cookie", cookie);
  }
  throw redirect(`/login?redirectTo=${encodeURIComponent(back)}`, { headers });
}

export function requirePartnerUser(args: Args, options: GuardOptions = {}): PartnerUser {
  const user = requireUser(args, options);
  if (isStaffRole(user.role) || user.partnerId === null) forbidden();
  return user as PartnerUser;
}

export function requirePartnerAdmin(args: Args): PartnerUser {
  const user = requirePartnerUser(args);
  if (user.role !== "partner_admin") forbidden("Only your company's partner admin can do this.");
  return user;
}

export function requireStaff(args: Args): StaffUser {
  const user = requireUser(args);
  if (!isStaffRole(user.role)) forbidden();
  return user as StaffUser;
}

export function requireAdmin(args: Args, message = "Only program admins can do this."): StaffUser {
  const user = requireStaff(args);
  if (user.role !== "admin") forbidden(message);
  return user;
}
