// The signed-in page frame: a sidebar with the navigation of the user's side and who is
// signed in, and the main area. Navigation lists only what exists for that role.
// Below 800 px the sidebar is a top bar whose navigation folds behind a "Menu" button
// (aria-expanded, closed again on every navigation); before the script runs, or without it, the
// same navigation sits in an open <details> that folds the same way.
import { Form, NavLink, useLocation } from "@remix-run/react";
import { useEffect, useState, type ReactNode } from "react";
import type { SessionUser } from "../auth/session.server";

type NavItem = { to: string; label: string; end?: boolean };

export function navFor(user: Pick<SessionUser, "role">): NavItem[] {
  if (user.role === "partner_user" || user.role === "partner_admin") {
    return [
      { to: "/dashboard", label: "Dashboard" },
      { to: "/deals", label: "Deals" },
      { to: "/attribution", label: "Attribution" },
      { to: "/tier", label: "Tier" },
      { to: "/reports", label: "Reports" },
      ...(user.role === "partner_admin"
        ? [
            { to: "/mdf", label: "MDF" },
            { to: "/team", label: "Team" },
            { to: "/api-keys", label: "API keys" },
          ]
        : []),
      { to: "/account", label: "Account" },
    ];
  }
  return [
    { to: "/internal", label: "Overview", end: true },
    { to: "/internal/registrations", label: "Registrations" },
    { to: "/internal/partners", label: "Partners" },
    { to: "/internal/ecosystem", label: "Ecosystem" },
    { to: "/internal/metrics", label: "Program metrics" },
    { to: "/internal/applications", label: "Applications" },
    { to: "/internal/tier-reviews", label: "Tier reviews" },
    { to: "/internal/mdf", label: "MDF" },
    ...(user.role === "admin" ? [{ to: "/internal/spend", label: "Program spend" }] : []),
    { to: "/internal/imports", label: "Imports" },
    { to: "/internal/reports", label: "Reports" },
    { to: "/internal/team", label: "Team" },
    { to: "/internal/outbox", label: "Outbox" },
    ...(user.role === "admin" ? [{ to: "/internal/settings", label: "Settings" }] : []),
    { to: "/account", label: "Account" },
  ];
}

const ROLE_LABEL: Record<SessionUser["role"], string> = {
  partner_user: "Partner user",
  partner_admin: "Partner admin",
  partner_manager: "Partner manager",
  admin: "Program admin",
};

export function AppShell({
  user,
  children,
}: {
  user: Pick<SessionUser, "name" | "email" | "role" | "partnerName">;
  children: ReactNode;
}) {
  const internal = user.role === "partner_manager" || user.role === "admin";
  const [scripted, setScripted] = useState(false);
  const [open, setOpen] = useState(false);
  const location = useLocation();
  useEffect(() => setScripted(true), []);
  useEffect(() => setOpen(false), [location.pathname, location.search]);
  const panel = (
    <>
      <nav aria-label="Main">
        <ul>
          {navFor(user).map((item) => (
            <li key={item.to}>
              <NavLink to={item.to} end={item.end} prefetch="intent">
                {item.label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <div className="who">
        <strong>{user.name}</strong>
        {ROLE_LABEL[user.role]}
        <Form method="post" action="/logout">
          <button type="submit" className="secondary">
            Sign out
          </button>
        </Form>
      </div>
    </>
  );
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside className="sidebar">
        <div className="sidebar-top">
          <a className="brand" href={internal ? "/internal" : "/dashboard"}>
            Partner Portal
            <small>{internal ? "Partner team" : user.partnerName}</small>
          </a>
          {scripted ? (
            <button
              type="button"
              className="nav-toggle secondary"
              aria-expanded={open}
              aria-controls="nav-panel"
              onClick={() => setOpen((was) => !was)}
            >
              Menu
            </button>
          ) : null}
        </div>
        {scripted ? (
          <div className="nav-panel" id="nav-panel" data-open={open ? "true" : "false"}>
            {panel}
          </div>
        ) : (
          <details className="nav-panel" open>
            <summary className="nav-toggle">Menu</summary>
            {panel}
          </details>
        )}
      </aside>
      <main className="main" id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
