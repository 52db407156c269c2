// The one log line a failed request writes: method, path, status and a short reason. Never
// the query string, never a token from a link's path, never a stack for an expected answer
// (404, 405, a refused body); a server error adds where it was thrown, still on one line.

/** Links whose last segment is a secret: a reset or invitation token. */
const TOKEN_PATH = /^\/(reset-password|invite)\/[^/]+/;
/** Anything that looks like a random token (ours are 32 base32 characters) anywhere else. */
const TOKEN_LIKE = /[A-Za-z0-9]{24,}/g;

/** The path as it may be logged: no query string, tokens replaced by `[token]`. */
export function loggablePath(url: string): string {
  let pathname: string;
  try {
    pathname = new URL(url, "http://x").pathname;
  } catch {
    pathname = url.split("?")[0]!;
  }
  return pathname.replace(TOKEN_PATH, "/$1/[token]").replace(TOKEN_LIKE, "[token]");
}

export type RequestFailure = {
  method: string;
  url: string;
  status: number;
  reason: string;
  /** Where a server error was thrown (the first frame of its stack), for 5xx only. */
  at?: string;
};

export function formatRequestFailure({ method, url, status, reason, at }: RequestFailure): string {
  // The raw URL (query string, token) must not come back through the reason.
  const path = loggablePath(url);
  let safeReason = reason.split("\n")[0]!;
  for (const raw of [url, new URL(url, "http://x").pathname]) safeReason = safeReason.split(raw).join(path);
  safeReason = safeReason.replace(TOKEN_LIKE, "[token]").slice(0, 300);
  return `[request] ${method} ${path} ${status} ${safeReason}${at ? ` (${at})` : ""}`;
}

/**
 * Where an error was thrown: the first stack frame in our code (else the first one), past the
 * database plumbing (db.server.ts, whose statement cache prepares every query) to the code that
 * ran the query.
 */
export function thrownAt(error: unknown): string | undefined {
  if (!(error instanceof Error) || !error.stack) return undefined;
  const frames = error.stack
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.startsWith("at "))
    .map((line) => line.slice(3));
  return frames.find((f) => !/node_modules|\(node:|^node:|[/\\]db\.server\.ts:/.test(f)) ?? frames[0];
}

export function logRequestFailure(failure: RequestFailure) {
  console.error(formatRequestFailure(failure));
}
