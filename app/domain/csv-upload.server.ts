// Reading a form that uploads a CSV file (program spend, exchange rates, the CRM imports): one
// multipart parse where the `file` part is kept in memory up to its limit and every other part
// up to a smaller one, a too-large body recognised (the route answers 413 and closes the
// connection: the rest of the body is never read), and the file's text decoded as strict UTF-8.
// The routes keep their own words for each outcome.
import {
  MaxPartSizeExceededError,
  unstable_composeUploadHandlers,
  unstable_createMemoryUploadHandler,
  unstable_parseMultipartFormData,
} from "@remix-run/node";

export type CsvUploadLimits = {
  /** The largest file accepted. */
  fileBytes: number;
  /** The largest other part (a text field: the intent, or a previewed CSV sent back). */
  fieldBytes: number;
  /** Refuse a body announced larger than this before reading it. */
  requestBytes?: number;
  /** Only a multipart form is accepted (otherwise a url-encoded form is read as usual). */
  multipartOnly?: boolean;
};

export type CsvUploadRead = { ok: true; form: FormData } | { ok: false; reason: "too_large" | "not_multipart" };

/** Headers of the 413 answer: the unread rest of the body must not be taken as a next request. */
export const TOO_LARGE_HEADERS = { Connection: "close" } as const;

export async function readCsvUpload(request: Request, limits: CsvUploadLimits): Promise<CsvUploadRead> {
  if (limits.requestBytes !== undefined && Number(request.headers.get("Content-Length") ?? 0) > limits.requestBytes) return { ok: false, reason: "too_large" };
  if (!(request.headers.get("Content-Type") ?? "").startsWith("multipart/form-data")) {
    return limits.multipartOnly ? { ok: false, reason: "not_multipart" } : { ok: true, form: await request.formData() };
  }
  const handler = unstable_composeUploadHandlers(
    unstable_createMemoryUploadHandler({ maxPartSize: limits.fileBytes, filter: ({ name, filename }) => name === "file" && filename !== undefined }),
    unstable_createMemoryUploadHandler({ maxPartSize: limits.fieldBytes }),
  );
  try {
    return { ok: true, form: await unstable_parseMultipartFormData(request, handler) };
  } catch (error) {
    if (error instanceof MaxPartSizeExceededError) return { ok: false, reason: "too_large" };
    // A multipart type without a boundary: not the page's form.
    if (error instanceof TypeError) return { ok: false, reason: "not_multipart" };
    throw error;
  }
}

export const NOT_UTF8 = "The file is not UTF-8 text. In Excel, save it as “CSV UTF-8 (comma delimited)”.";

/** The uploaded file's text: missing for no file or an empty one, not_utf8 for anything but UTF-8. */
export async function csvFileText(entry: FormDataEntryValue | null): Promise<{ ok: true; text: string; fileName: string } | { ok: false; reason: "missing" | "not_utf8" }> {
  if (!(entry instanceof File) || entry.size === 0) return { ok: false, reason: "missing" };
  try {
    return { ok: true, text: new TextDecoder("utf-8", { fatal: true }).decode(await entry.arrayBuffer()), fileName: entry.name };
  } catch {
    return { ok: false, reason: "not_utf8" };
  }
}
