// Keyset-page cursors (decision 0019): the sort key of a list's edge row, opaque in the URL
// (base64url of a JSON array), read back only when it has the shape the list expects — any
// other value is "no cursor" and the list starts over. A cursor only says where to resume: the
// list's own WHERE clause (its tenant, its filters) still decides which rows exist.
type Kind = "string" | "number";
type Decoded<T extends readonly Kind[]> = { [K in keyof T]: T[K] extends "string" ? string : number };

export function encodeKeyset(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

/** The key a cursor of `shape` holds (numbers are whole), or null for anything else. */
export function decodeKeyset<const T extends readonly Kind[]>(value: string | null | undefined, shape: T): Decoded<T> | null {
  if (!value || value.length > 400) return null;
  try {
    const v: unknown = JSON.parse(Buffer.from(value, "base64url").toString("utf8"));
    if (!Array.isArray(v) || v.length !== shape.length) return null;
    const ok = shape.every((kind, i) => (kind === "string" ? typeof v[i] === "string" : Number.isSafeInteger(v[i])));
    return ok ? (v as Decoded<T>) : null;
  } catch {
    return null;
  }
}
