// What a signed-out form post keeps: when a session ends while someone fills a form, the guard
// keeps the posted fields (never passwords, codes, tokens or files) in a short-lived, HMAC-signed,
// HttpOnly cookie bound to the form's page, and the page fills them back in after sign-in.
// The cookie stays in the browser that typed the entries; the server keeps nothing. When the
// server can tell whose session ended, only that user gets the entries back; sign-out drops them.
import { createHmac, timingSafeEqual } from "node:crypto";

export const DRAFT_COOKIE = "pp_draft";
export const DRAFT_LIFETIME_MS = 30 * 60 * 1000;
/** Browsers keep about 4 KB per cookie; the fields that do not fit are not kept. */
export const DRAFT_MAX_BYTES = 3000;
export const ENTRIES_KEPT_MESSAGE = "Your session ended — sign in to continue; your entries are kept.";

/** Field names never kept: secrets, one-time codes and tokens a new page issues afresh. */
const NEVER_KEPT = /pass|secret|token|code|otp|csrf|^_|^redirectTo$/i;

export type FormDraft = {
  /** The page the form is on, e.g. "/deals/new". */
  path: string;
  /** The user whose session had ended, when the server could tell. */
  owner: string | null;
  fields: [string, string][];
  expiresAt: number;
};

type CookieOptions = { secret: string; secure: boolean };

const sign = (payload: string, secret: string) =>
  createHmac("sha256", `form-draft:${secret}`).update(payload).digest("base64url");

function serialize(value: string, maxAgeSeconds: number, secure: boolean) {
  return [
    `${DRAFT_COOKIE}=${value}`,
    "Path=/",
    `Max-Age=${maxAgeSeconds}`,
    "HttpOnly",
    "SameSite=Lax",
    ...(secure ? ["Secure"] : []),
  ].join("; ");
}

/** The fields of a signed-out post worth keeping, in order, within the size limit. */
export function keptFields(form: URLSearchParams): [string, string][] {
  const kept: [string, string][] = [];
  let bytes = 0;
  for (const [name, value] of form) {
    if (NEVER_KEPT.test(name) || !value) continue;
    const size = Buffer.byteLength(name) + Buffer.byteLength(value) + 8;
    if (bytes + size > DRAFT_MAX_BYTES) continue;
    bytes += size;
    kept.push([name, value]);
  }
  return kept;
}

/** The Set-Cookie header keeping `form`'s fields for `path`, or null when nothing is worth keeping. */
export function keepDraft(
  input: { path: string; owner: string | null; form: URLSearchParams },
  options: CookieOptions,
  now = Date.now(),
): string | null {
  const fields = keptFields(input.form);
  if (fields.length === 0) return null;
  const draft: FormDraft = { path: input.path, owner: input.owner, fields, expiresAt: now + DRAFT_LIFETIME_MS };
  const payload = Buffer.from(JSON.stringify(draft)).toString("base64url");
  return serialize(`${payload}.${sign(payload, options.secret)}`, DRAFT_LIFETIME_MS / 1000, options.secure);
}

export function clearDraft(secure: boolean): string {
  return serialize("", 0, secure);
}

/** The signed, unexpired draft the request carries, or null. */
export function readDraft(cookieHeader: string | null, secret: string, now = Date.now()): FormDraft | null {
  const raw = cookieHeader
    ?.split(";")
    .map((part) => part.trim())
    .find((part) => part.startsWith(`${DRAFT_COOKIE}=`))
    ?.slice(DRAFT_COOKIE.length + 1);
  if (!raw) return null;
  const [payload, signature] = raw.split(".");
  if (!payload || !signature) return null;
  const expected = Buffer.from(sign(payload, secret));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  try {
    const draft = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as FormDraft;
    return draft.expiresAt > now ? draft : null;
  } catch {
    return null;
  }
}

/**
 * The entries kept for `path` that `userId` may see: its own, or ones whose owner the server
 * could not tell (the session cookie was already gone); null otherwise.
 */
export function draftFor(
  cookieHeader: string | null,
  input: { path: string; userId: string; secret: string },
): Record<string, string> | null {
  const draft = readDraft(cookieHeader, input.secret);
  if (!draft || draft.path !== input.path) return null;
  if (draft.owner !== null && draft.owner !== input.userId) return null;
  return Object.fromEntries(draft.fields);
}

/** The page a form post belongs to: its path without Remix's `index` and `_routes` markers. */
export function formPagePath(requestUrl: string): string {
  const url = new URL(requestUrl);
  url.searchParams.delete("index");
  url.searchParams.delete("_routes");
  return url.pathname + url.search;
}
