// Partner states are consistent by construction (issue 13, item 4): over the seeded demo
// database (the default demo program, 60 partners) an "applied" partner has no enabled users
// and a pending application in the queue, and an active partner has an enabled admin or an
// open admin invitation; the database itself refuses the contradictory states.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { approveApplication, declineApplication } from "../../app/domain/applications.server";
import { closeDatabase, openDatabase, runMigrations, type DB } from "../../app/db.server";
import { createMailer } from "../../app/mailer.server";
import { DEMO_DEFAULTS, DEMO_PASSWORD_HASH } from "./demo-accounts";
import { generateProgram } from "./program";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "partner-states-"));
let db: DB;

beforeAll(() => {
  db = openDatabase(path.join(dir, "demo.db"));
  runMigrations(db);
  generateProgram(db, { ...DEMO_DEFAULTS, passwordHash: DEMO_PASSWORD_HASH });
});
afterAll(() => {
  closeDatabase(db);
  fs.rmSync(dir, { recursive: true, force: true });
});

const all = <T = Record<string, any>>(query: string, ...params: unknown[]) =>
  db.$client.prepare(query).all(...params) as T[];
const value = <T = number>(query: string, ...params: unknown[]) =>
  db.$client.prepare(query).pluck().get(...params) as T;

/** Partners in a state the domain calls contradictory, with what is wrong. */
function contradictions() {
  return all(
    `SELECT p.name, p.status, 'enabled users' AS problem FROM partners p
       WHERE p.status = 'applied' AND EXISTS (SELECT 1 FROM users u WHERE u.partner_id = p.id AND u.disabled_at IS NULL)
     UNION ALL
     SELECT p.name, p.status, 'no pending application' FROM partners p
       WHERE p.status = 'applied' AND NOT EXISTS (
         SELECT 1 FROM partner_applications a WHERE a.partner_id = p.id AND a.status = 'pending')
     UNION ALL
     SELECT p.name, p.status, 'no enabled admin and no open admin invitation' FROM partners p
       WHERE p.status = 'active'
         AND NOT EXISTS (SELECT 1 FROM users u WHERE u.partner_id = p.id AND u.role = 'partner_admin' AND u.disabled_at IS NULL)
         AND NOT EXISTS (SELECT 1 FROM invitations i WHERE i.partner_id = p.id AND i.role = 'partner_admin'
           AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > ?)`,
    Date.now(),
  );
}

describe("the seeded demo's partner states", () => {
  it("has applied partners, each with no users and its application pending in the queue", () => {
    expect(value("SELECT count(*) FROM partners WHERE status = 'applied'")).toBeGreaterThanOrEqual(1);
    expect(contradictions()).toEqual([]);
  });

  it("refuses an enabled user on an applied partner, and a partner going back to applied", () => {
    const applied = value("SELECT id FROM partners WHERE status = 'applied' ORDER BY id LIMIT 1");
    const insert = () =>
      db.$client
        .prepare(
          "INSERT INTO users (id, email, name, role, partner_id) VALUES ('u-x', 'x@applied.test', 'X', 'partner_admin', ?)",
        )
        .run(applied);
    expect(insert).toThrow(/an applied partner has no enabled users/);
    const active = value("SELECT id FROM partners WHERE status = 'active' ORDER BY id LIMIT 1");
    expect(() => db.$client.prepare("UPDATE partners SET status = 'applied' WHERE id = ?").run(active)).toThrow(
      /cannot go back to applied/,
    );
    expect(() => db.$client.prepare("UPDATE partners SET status = 'active' WHERE id = ?").run(applied)).toThrow(
      /only by approving its application/,
    );
  });

  it("approving an applied partner's application activates that partner (no second one) and invites its admin", async () => {
    const before = value("SELECT count(*) FROM partners");
    const app = all<{ id: number; partner_id: number }>(
      "SELECT id, partner_id FROM partner_applications WHERE partner_id IS NOT NULL AND status = 'pending' ORDER BY id",
    );
    expect(app.length).toBeGreaterThanOrEqual(1);
    const manager = all<{ id: string; email: string; name: string; role: "partner_manager" }>(
      "SELECT id, email, name, role FROM users WHERE role = 'partner_manager' ORDER BY email LIMIT 1",
    )[0]!;
    const outbox = fs.mkdtempSync(path.join(dir, "outbox-"));
    const ctx = { db, mailer: createMailer({ MAIL_FROM: "p@localhost", OUTBOX_DIR: outbox }), config: { APP_URL: "http://x.test" } };
    const result = await approveApplication(ctx, manager, app[0]!.id);
    expect(result.partner.id).toBe(app[0]!.partner_id);
    expect(value("SELECT count(*) FROM partners")).toBe(before);
    expect(value("SELECT status FROM partners WHERE id = ?", app[0]!.partner_id)).toBe("active");
    if (app[1]) {
      await declineApplication(ctx, manager, app[1].id, "Not a fit for the program right now.");
      expect(value("SELECT status FROM partners WHERE id = ?", app[1].partner_id)).toBe("churned");
    }
    expect(contradictions()).toEqual([]);
  });
});
