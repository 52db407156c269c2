// Serves one MDF proof file: found only within the caller's scope (its partner, or any for
// staff), read from the data folder, sent as a download of the type its bytes were checked to be.
import fs from "node:fs";
import path from "node:path";
import type { DB } from "../db.server";
import { getProofFile, proofFolder } from "../domain/mdf.server";

export function proofResponse(db: DB, databasePath: string, scope: { partnerId: number | null }, params: { id?: string; fileId?: string }): Response {
  const requestId = Number(params.id);
  const fileId = Number(params.fileId);
  const file = Number.isInteger(requestId) && Number.isInteger(fileId) ? getProofFile(db, scope, requestId, fileId) : null;
  if (!file) throw new Response("Not found.", { status: 404 });
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(path.join(proofFolder(databasePath), path.basename(file.storedName)));
  } catch {
    throw new Response("The file is missing from the data folder: restore it from the backup.", { status: 410 });
  }
  const ascii = file.fileName.replace(/[^\w.\- ]/g, "_");
  return new Response(new Uint8Array(bytes), {
    headers: {
      "Content-Type": file.contentType,
      "Content-Disposition": `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
      "Content-Length": String(bytes.length),
      "Cache-Control": "private, no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
