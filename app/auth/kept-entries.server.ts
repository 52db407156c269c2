// Kept entries on a form's page (form-draft.server.ts): what the loader gives back after
// sign-in, and the header an action sends once the kept entries are submitted.
import type { AppLoadContext } from "@remix-run/node";
import { clearDraft, draftFor, formPagePath, readDraft } from "./form-draft.server";
import { cookiesAreSecure } from "./lucia.server";

type Args = { request: Request; context: AppLoadContext };

/**
 * The entries `userId` typed on this page before the session ended, or null. With `intent`,
 * only entries posted by that form of the page (a page with several forms fills in the one
 * that was submitted).
 */
export function keptEntries({ request, context }: Args, userId: string, intent?: string): Record<string, string> | null {
  const kept = draftFor(request.headers.get("Cookie"), {
    path: formPagePath(request.url),
    userId,
    secret: context.config.APP_SECRET,
  });
  if (!kept || (intent !== undefined && kept.intent !== intent)) return null;
  return kept;
}

/** The headers of an answer to a submission that used the kept entries: the browser drops them. */
export function keptEntriesDone({ request, context }: Args): HeadersInit | undefined {
  return readDraft(request.headers.get("Cookie"), context.config.APP_SECRET)
    ? { "Set-Cookie": clearDraft(cookiesAreSecure(context.config)) }
    : undefined;
}
