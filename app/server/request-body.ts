// Request bodies, read and checked in the Express layer before Remix sees them: a size limit
// per route (counted as the bytes arrive, so an endless or chunked body is cut off at the
// limit, never held whole), only the two form encodings, and form data that parses. A route
// then reads `request.formData()` knowing it cannot be made to fail with a 500.
import express from "express";
import type { Config } from "../config.server";

/** The CSV imports send whole files; every other action gets an ordinary form. */
const IMPORT_PATH = /^\/internal\/(?:imports|spend)(?:\.data)?\/?$/;
/** An MDF claim carries its proof files (PDF or images). */
const UPLOAD_PATH = /^\/mdf\/\d+(?:\.data)?\/?$/;

const FORM_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data"];

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

export function bodyLimitFor(config: Config, pathname: string): { limit: number; what: string } {
  if (UPLOAD_PATH.test(pathname)) return { limit: config.UPLOAD_BODY_LIMIT, what: "a claim with its proof files" };
  return IMPORT_PATH.test(pathname)
    ? { limit: config.IMPORT_BODY_LIMIT, what: "an import" }
    : { limit: config.FORM_BODY_LIMIT, what: "a form" };
}

/** A refusal the Express layer answers itself, before Remix; `unread` when the body was left unread. */
export class BodyRefused extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
    readonly unread = false,
  ) {
    super(message);
  }
}

/** After a refusal, how much of the rest of a body is read and thrown away, and for how long. */
const DISCARD_BYTES = 16 * 1024 * 1024;
const DISCARD_MS = 10_000;

/**
 * A client still sending a refused body would see its connection reset, and often not the
 * answer, if the server closed it at once: the rest is read and thrown away (never held), up to
 * a bound; past it, or past a few seconds, the connection is closed.
 */
export function discardRestOfBody(req: express.Request) {
  let discarded = 0;
  const timer = setTimeout(() => req.socket.destroy(), DISCARD_MS);
  timer.unref();
  const done = () => clearTimeout(timer);
  req.on("data", (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > DISCARD_BYTES) req.socket.destroy();
  });
  req.on("end", done).on("close", done);
  req.resume();
}

/**
 * Reads the body of every request but GET and HEAD into `req.body` (a Buffer, or nothing for
 * an empty body) within the route's limit. A Content-Length over the limit is refused before
 * a byte is read; a chunked body is refused at the first byte over it, and the rest is never
 * read before the answer (see discardRestOfBody). body-parser is not used here: on a refusal it
 * reads the whole remaining body before answering, however long.
 */
export function readRequestBody(config: Config): express.RequestHandler {
  return (req, res, next) => {
    if (req.method === "GET" || req.method === "HEAD") return next();
    const { limit, what } = bodyLimitFor(config, req.path);
    readWithin(req, limit, what)
      .then(async (body) => {
        req.body = body.length > 0 ? body : undefined;
        if (req.body) await checkFormBody(req.get("content-type"), body);
        next();
      })
      .catch(next);
  };
}

function readWithin(req: express.Request, limit: number, what: string): Promise<Buffer> {
  const tooLarge = () =>
    new BodyRefused(
      413,
      `The request body is larger than ${formatBytes(limit)}, the limit for ${what}. Send less: shorten the text, or split the file.`,
      true,
    );
  const encoding = req.get("content-encoding")?.trim().toLowerCase();
  if (encoding && encoding !== "identity") {
    return Promise.reject(new BodyRefused(415, "Send the request body without a Content-Encoding (no gzip or deflate).", true));
  }
  if (Number(req.get("content-length") ?? 0) > limit) return Promise.reject(tooLarge());

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const stop = () => {
      req.off("data", onData).off("end", onEnd).off("error", onError);
      req.pause();
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) {
        stop();
        reject(tooLarge());
      } else {
        chunks.push(chunk);
      }
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks));
    };
    const onError = (error: Error) => {
      stop();
      reject(error);
    };
    req.on("data", onData).on("end", onEnd).on("error", onError);
  });
}

/** Only form encodings reach an action, and only ones that parse. */
async function checkFormBody(contentType: string | undefined, body: Buffer) {
  const mediaType = contentType?.split(";")[0]!.trim().toLowerCase();
  if (!mediaType || !FORM_TYPES.includes(mediaType)) {
    throw new BodyRefused(
      415,
      `This address accepts forms only: send application/x-www-form-urlencoded or multipart/form-data` +
        ` (the request was ${mediaType ? mediaType : "sent without a Content-Type"}).`,
    );
  }
  try {
    await new Response(new Uint8Array(body), { headers: { "content-type": contentType! } }).formData();
  } catch {
    throw new BodyRefused(
      400,
      mediaType === "multipart/form-data"
        ? "The multipart form data could not be read: check the boundary in the Content-Type header and the parts of the body."
        : "The form data could not be read.",
    );
  }
}
