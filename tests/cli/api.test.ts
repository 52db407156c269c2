// `npm run api -- key create`: prints the key once, stores only its hash; the key authenticates
// with its scopes; a bad scope is refused naming the allowed ones; list and revoke.
import { execFile } from "node:child_process";
import { describe, expect, it } from "vitest";
import { authenticateApiKey } from "../../app/api/keys.server";
import { apiKeys } from "../../db/schema";
import { createTestDatabase } from "../support/db";

function run(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile("npm", ["run", "--silent", "api", "--", ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

describe("npm run api", () => {
  it("creates a key printed once, lists it without the key, revokes it", async () => {
    const { db, file } = createTestDatabase();
    const env = { DATABASE_PATH: file };
    const made = await run(["key", "create", "--name", "crm", "--scopes", "deals:read,deals:write", "--quiet"], env);
    expect(made.code).toBe(0);
    const key = made.stdout.trim();
    expect(key).toMatch(/^ppk_[A-Za-z0-9_-]{32}$/);
    expect(JSON.stringify(db.select().from(apiKeys).all())).not.toContain(key);
    expect(authenticateApiKey(db, key)).toMatchObject({ name: "crm", scopes: ["deals:read", "deals:write"], partnerId: null });

    const bad = await run(["key", "create", "--name", "etl", "--scopes", "deals:delete"], env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/deals:delete.*choose from deals:read/);

    const list = await run(["key", "list"], env);
    expect(list.stdout).toMatch(/crm\tppk_[\w-]{6}…\tdeals:read,deals:write\tprogram/);
    expect(list.stdout).not.toContain(key);
    const id = db.select().from(apiKeys).get()!.id;
    expect((await run(["key", "revoke", "--id", String(id)], env)).stdout).toMatch(/Revoked key/);
    expect(authenticateApiKey(db, key)).toBeNull();
  }, 120_000);
});
