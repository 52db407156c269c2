// The partner team's side: program admins and partner managers only.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { Outlet, useLoaderData } from "@remix-run/react";
import { requireStaff } from "../auth/guards.server";
import { AppShell } from "../components/app-shell";

export async function loader(args: LoaderFunctionArgs) {
  const user = requireStaff(args);
  return { user: { name: user.name, email: user.email, role: user.role, partnerName: null } };
}

export default function InternalLayout() {
  const { user } = useLoaderData<typeof loader>();
  return (
    <AppShell user={user}>
      <Outlet />
    </AppShell>
  );
}
