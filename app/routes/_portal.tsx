// The partner side: every page under it belongs to the signed-in user's own partner.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { Outlet, useLoaderData } from "@remix-run/react";
import { requirePartnerUser } from "../auth/guards.server";
import { AppShell } from "../components/app-shell";

export async function loader(args: LoaderFunctionArgs) {
  const user = requirePartnerUser(args);
  return { user: { name: user.name, email: user.email, role: user.role, partnerName: user.partnerName } };
}

export default function PortalLayout() {
  const { user } = useLoaderData<typeof loader>();
  return (
    <AppShell user={user}>
      <Outlet />
    </AppShell>
  );
}
