// What a signed-out form post keeps: when a session ends while someone fills a form, the guard
// keeps the posted fields (never passwords, codes, tokens or files) in a short-lived, HMAC-signed,
// HttpOnly cookie bound to the form's page, and the page fills them back in after sign-in.
// The cookie stays in the browser that typed the entries; the server keeps nothing. The entries
// are kept for the user whose session ended and given back to that user only: the session row
// names them, or, when it is already gone (an earlier request found it expired and deleted it),
// the signed `pp_owner` cookie the browser got with its last session. Nobody known, nothing kept.
// Sign-out drops both cookies.
import { createHmac, timingSafeEqual } from "node:crypto";
import { ABSOLUTE_LIFETIME_MS } from "./lucia.server";

export const DRAFT_COOKIE = "pp_draft";
/** Who last held a session in this browser (signed user id), so kept entries have an owner. */
export const OWNER_COOKIE = "pp_owner";
/** As long as the longest session, plus the time entries are kept after it ends. */
export const OWNER_LIFETIME_MS = ABSOLUTE_LIFETIME_MS + 30 * 60 * 1000;
export const DRAFT_LIFETIME_MS = 30 * 60 * 1000;
/** Browsers keep about 4 KB per cookie; the fields that do not fit are not kept. */
export const DRAFT_MAX_BYTES = 3000;
export const ENTRIES_KEPT_MESSAGE = "Your session ended — sign in to continue; your entries are kept.";

/** Field names never kept: secrets, one-time codes and tokens a new page issues afresh. */
const NEVER_KEPT = /pass|secret|token|code|otp|csrf|^_|^redirectTo$/i;

export type FormDraft = {
  /** The page the form is on, e.g. "/deals/new". */
  path: string;
  /** The user whose session had ended. */
  owner: string;
  fields: [string, string][];
  expiresAt: number;
};

type CookieOptions = { secret: string; secure: boolean };

const sign = (payload: string, secret: string, purpose = "form-draft") =>
  createHmac("sha256", `${purpose}:${secret}`).update(payload).digest("base64url");

function verified(payload: string, signature: string, secret: string, purpose?: string) {
  const expected = Buffer.from(sign(payload, secret, purpose));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

function readCookie(cookieHeader: string | null | undefined, name: string) {
  return cookieHeader
    ?.split(";")
    .map((part) => part.trim())
    .find((part) => part.startsWith(`${name}=`))
    ?.slice(name.length + 1);
}

function serialize(value: string, maxAgeSeconds: number, secure: boolean, name = DRAFT_COOKIE) {
  return [
    `${name}=${value}`,
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
  input: { path: string; owner: string; form: URLSearchParams },
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
  const raw = readCookie(cookieHeader, DRAFT_COOKIE);
  if (!raw) return null;
  const [payload, signature] = raw.split(".");
  if (!payload || !signature || !verified(payload, signature, secret)) return null;
  try {
    const draft = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as FormDraft;
    return draft.expiresAt > now ? draft : null;
  } catch {
    return null;
  }
}

/** The entries kept for `path` if `userId` typed them; null otherwise. */
export function draftFor(
  cookieHeader: string | null,
  input: { path: string; userId: string; secret: string },
): Record<string, string> | null {
  const draft = readDraft(cookieHeader, input.secret);
  if (!draft || draft.path !== input.path) return null;
  if (draft.owner !== input.userId) return null;
  return Object.fromEntries(draft.fields);
}

/** The page a form post belongs to: its path without Remix's `index` and `_routes` markers. */
export function formPagePath(requestUrl: string): string {
  const url = new URL(requestUrl);
  url.searchParams.delete("index");
  url.searchParams.delete("_routes");
  return url.pathname + url.search;
}

/** The Set-Cookie header naming `userId` as this browser's last signed-in user. */
export function ownerCookie(userId: string, options: CookieOptions): string {
  const payload = Buffer.from(userId).toString("base64url");
  return serialize(`${payload}.${sign(payload, options.secret, "owner")}`, OWNER_LIFETIME_MS / 1000, options.secure, OWNER_COOKIE);
}

export function clearOwner(secure: boolean): string {
  return serialize("", 0, secure, OWNER_COOKIE);
}

/** The user the request's signed owner cookie names, or null. */
export function readOwner(cookieHeader: string | null | undefined, secret: string): string | null {
  const raw = readCookie(cookieHeader, OWNER_COOKIE);
  if (!raw) return null;
  const [payload, signature] = raw.split(".");
  if (!payload || !signature || !verified(payload, signature, secret, "owner")) return null;
  return Buffer.from(payload, "base64url").toString("utf8");
}
