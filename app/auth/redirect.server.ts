// Where a person goes after signing in. `redirectTo` comes from the URL, so it is attacker
// controlled: only a path that stays on the app's own origin is honoured, and the Location we
// send is the URL parser's own serialisation, never the raw input a browser might re-read
// differently (tabs and newlines it strips, backslashes it treats as slashes).
import { isStaffRole } from "./guards.server";

// Tab, newline and the rest: browsers silently drop some of them, headers refuse others.
const CONTROL = /[\u0000-\u001f\u007f]/;

/** `to` as a same-origin path ("/deals?x=1"), or `fallback` when it is anything else. */
export function safeRedirect(to: string | null | undefined, fallback: string, appUrl: string): string {
  if (!to || !to.startsWith("/") || CONTROL.test(to)) return fallback;
  let url: URL;
  try {
    url = new URL(to, appUrl);
  } catch {
    return fallback;
  }
  if (url.origin !== new URL(appUrl).origin) return fallback;
  const path = url.pathname + url.search + url.hash;
  // "/.//evil.test" normalises to "//evil.test", which a browser reads as another host.
  if (path.startsWith("//") || path.includes("\\")) return fallback;
  return path;
}

/**
 * Addresses a page fetches in the background or the browser downloads: never a page to land on
 * after sign-in (a blank JSON answer, or a file with no page around it).
 */
const BACKGROUND_PATHS = [/^\/deals\/check-domain(?:$|[/?#])/, /\.(?:data|csv|pdf|eml)(?:$|[?#])/, /^\/(?:healthz|logout)(?:$|[/?#])/];

export function isBackgroundUrl(path: string): boolean {
  return BACKGROUND_PATHS.some((pattern) => pattern.test(path));
}

/**
 * The page after sign-in: the requested one when it is on the person's own side of the app
 * (never an internal page for a partner, nor a partner page for staff, nor a background or
 * download URL), else their home.
 */
export function redirectAfterSignIn(to: string | null | undefined, role: string, appUrl: string): string {
  const home = isStaffRole(role) ? "/internal" : "/dashboard";
  const target = safeRedirect(to, home, appUrl);
  if (isBackgroundUrl(target)) return home;
  const internal = target === "/internal" || target.startsWith("/internal/") || target.startsWith("/internal?");
  const shared = target === "/account" || target.startsWith("/account/") || target.startsWith("/account?");
  const sameSide = isStaffRole(role) ? internal || shared : !internal;
  return sameSide ? target : home;
}
