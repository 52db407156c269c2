// The guards every loader and action starts with. They read the session the server already
// validated (context.auth) and throw: a redirect to sign-in for anonymous visitors, 403 for a
// signed-in user on the wrong side. Tenant scope (partnerId) comes only from here.
import { redirect, type AppLoadContext } from "@remix-run/node";
import type { SessionUser } from "./session.server";

type Args = { request: Request; context: AppLoadContext };

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

export function requireUser({ request, context }: Args): SessionUser {
  if (context.auth) return context.auth.user;
  const url = new URL(request.url);
  const back = url.pathname + url.search;
  throw redirect(`/login?redirectTo=${encodeURIComponent(back)}`);
}

export function requirePartnerUser(args: Args): PartnerUser {
  const user = requireUser(args);
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
