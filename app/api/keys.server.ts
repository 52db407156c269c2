// API keys: created with a name and scopes (and, for a partner-scoped key, the partner), shown
// once, stored as a SHA-256 hash, looked up by hash on every call, revocable. Creating and
// revoking are audited; every API call's changes are audited as "api key <name>".
import { and, desc, eq, isNull } from "drizzle-orm";
import { createHash, randomBytes } from "node:crypto";
import { API_SCOPES, apiKeys, PARTNER_KEY_SCOPES, partners, type ApiScope } from "../../db/schema";
import type { DB } from "../db.server";
import { writeTransaction } from "../db.server";
import { recordAudit, type Actor } from "../domain/audit.server";

const KEY_PREFIX = "ppk_";

export class ApiKeyError extends Error {
  constructor(
    message: string,
    readonly field: "name" | "scopes" | "partner" | null = null,
    readonly status: 400 | 404 = 400,
  ) {
    super(message);
  }
}

export function hashApiKey(key: string) {
  return createHash("sha256").update(key).digest("hex");
}

/** Scopes from a comma-separated list or an array; throws saying which names are unknown. */
export function parseScopes(input: string | readonly string[], allowed: readonly ApiScope[] = API_SCOPES): ApiScope[] {
  const names = (typeof input === "string" ? input.split(",") : [...input]).map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new ApiKeyError(`Choose at least one scope: ${allowed.join(", ")}.`, "scopes");
  const unknown = names.filter((n) => !(allowed as readonly string[]).includes(n));
  if (unknown.length) {
    throw new ApiKeyError(`Unknown or not allowed scope${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}: choose from ${allowed.join(", ")}.`, "scopes");
  }
  return [...new Set(names)] as ApiScope[];
}

export type CreatedApiKey = { id: number; name: string; key: string; prefix: string; scopes: ApiScope[]; partnerId: number | null };

export function createApiKey(
  db: DB,
  actor: Actor,
  input: { name: string; scopes: string | readonly string[]; partnerId?: number | null },
  now = new Date(),
): CreatedApiKey {
  const name = input.name.trim();
  if (name.length < 2 || name.length > 60) throw new ApiKeyError("Name the key (2 to 60 characters), such as crm.", "name");
  const partnerId = input.partnerId ?? null;
  const scopes = parseScopes(input.scopes, partnerId === null ? API_SCOPES : PARTNER_KEY_SCOPES);
  const key = KEY_PREFIX + randomBytes(24).toString("base64url");
  const prefix = key.slice(0, KEY_PREFIX.length + 6);
  return writeTransaction(db, (tx) => {
    if (partnerId !== null && !tx.select({ id: partners.id }).from(partners).where(eq(partners.id, partnerId)).get()) {
      throw new ApiKeyError("That partner does not exist.", "partner", 404);
    }
    const row = tx
      .insert(apiKeys)
      .values({ name, prefix, hash: hashApiKey(key), scopes, partnerId, createdBy: actor === "system" ? null : actor.id, createdAt: now })
      .returning({ id: apiKeys.id })
      .get();
    recordAudit(tx, { actor, action: "api_key.created", entityType: "api_key", entityId: row.id, partnerId, after: { name, prefix, scopes }, at: now });
    return { id: row.id, name, key, prefix, scopes, partnerId };
  });
}

/** Revokes a key; `partnerId` limits a partner admin to their own partner's keys. */
export function revokeApiKey(db: DB, actor: Actor, id: number, scope: { partnerId: number | null }, now = new Date()) {
  return writeTransaction(db, (tx) => {
    const key = tx.select().from(apiKeys).where(eq(apiKeys.id, id)).get();
    // A partner admin may not learn that another partner's key exists: the same answer as none.
    if (!key || (scope.partnerId !== null && key.partnerId !== scope.partnerId)) throw new ApiKeyError("That key does not exist.", null, 404);
    if (key.revokedAt) return false;
    tx.update(apiKeys).set({ revokedAt: now }).where(eq(apiKeys.id, id)).run();
    recordAudit(tx, { actor, action: "api_key.revoked", entityType: "api_key", entityId: id, partnerId: key.partnerId, after: { name: key.name }, at: now });
    return true;
  });
}

export type ApiKeyListItem = {
  id: number;
  name: string;
  prefix: string;
  scopes: ApiScope[];
  partnerName: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
};

/** Keys for the admin page (partnerId null: every key) or one partner's page. */
export function listApiKeys(db: DB, scope: { partnerId: number | null }): ApiKeyListItem[] {
  return db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      prefix: apiKeys.prefix,
      scopes: apiKeys.scopes,
      partnerName: partners.name,
      createdAt: apiKeys.createdAt,
      lastUsedAt: apiKeys.lastUsedAt,
      revokedAt: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .leftJoin(partners, eq(partners.id, apiKeys.partnerId))
    .where(scope.partnerId === null ? undefined : eq(apiKeys.partnerId, scope.partnerId))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
    .all();
}

export type ApiCaller = { keyId: number; name: string; scopes: ApiScope[]; partnerId: number | null; actor: Actor };

/** The caller a presented key stands for, or null (unknown or revoked). Notes the last use. */
export function authenticateApiKey(db: DB, presented: string, now = new Date()): ApiCaller | null {
  if (!presented.startsWith(KEY_PREFIX)) return null;
  const key = db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.hash, hashApiKey(presented)), isNull(apiKeys.revokedAt)))
    .get();
  if (!key) return null;
  // At most one write a minute per key: a busy integration must not queue on the write lock.
  if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() > 60_000) {
    db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, key.id)).run();
  }
  return {
    keyId: key.id,
    name: key.name,
    scopes: key.scopes,
    partnerId: key.partnerId,
    // No user behind a key: the audit names the key (actorId null, as for jobs).
    actor: { id: null, label: `api key ${key.name}` },
  };
}
