// The demo-program generator, against real migrated SQLite files.
import fs from "node:fs";
import { closedDealReportingCentsSql, missingRates } from "../../app/domain/money.server";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PRODUCT_LINES } from "../../app/domain/products";
import { closeDatabase, openDatabase, runMigrations, type DB } from "../../app/db.server";
import { PARTNER_KINDS, PARTNER_STATUSES, REGIONS, REPORT_FORMATS } from "../schema";
import { createUser, DEFAULT_TIERS } from "../factories";
import { DEMO_DEFAULTS, DEMO_LOGINS, DEMO_PASSWORD_HASH } from "./demo-accounts";
import { generateProgram, type GenerateOptions } from "./program";
import { proofFileType, proofFolder } from "../../app/domain/mdf.server";
import { pdfText } from "../../tests/support/pdf";

const DAY = 86_400_000;
const AS_OF = new Date(Date.UTC(2025, 5, 1)); // 2025-06-01
const AS_OF_MS = AS_OF.getTime();

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "seed-test-"));
const opened: DB[] = [];
let counter = 0;

function freshDb(): DB {
  const db = openDatabase(path.join(dir, `t${counter++}.db`));
  runMigrations(db);
  opened.push(db);
  return db;
}

function generate(options: Partial<GenerateOptions> = {}) {
  const db = freshDb();
  const summary = generateProgram(db, {
    seed: 1,
    partners: 20,
    deals: 800,
    asOf: AS_OF,
    passwordHash: "not-a-real-hash",
    ...options,
  });
  return { db, summary };
}

const all = <T = Record<string, any>>(db: DB, query: string, ...params: unknown[]) =>
  db.$client.prepare(query).all(...params) as T[];
const value = <T = number>(db: DB, query: string, ...params: unknown[]) =>
  db.$client
    .prepare(query)
    .pluck()
    .get(...params) as T;

afterAll(() => {
  for (const db of opened) closeDatabase(db);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("generateProgram: determinism", () => {
  it("gives identical data for one seed and as-of date, different data for another seed", () => {
    const a = generate({ seed: 3 }).db;
    const b = generate({ seed: 3 }).db;
    const c = generate({ seed: 4 }).db;
    const names = (db: DB) => all(db, "SELECT name, slug FROM partners ORDER BY id");
    const deals = (db: DB) => all(db, "SELECT * FROM deals ORDER BY id");
    const amounts = (db: DB) =>
      all(db, "SELECT amount_cents FROM deals ORDER BY id").map((r) => r.amount_cents);
    expect(names(a)).toEqual(names(b));
    expect(deals(a)).toEqual(deals(b));
    expect(all(a, "SELECT * FROM users ORDER BY id")).toEqual(all(b, "SELECT * FROM users ORDER BY id"));
    expect(all(a, "SELECT * FROM touches ORDER BY id")).toEqual(all(b, "SELECT * FROM touches ORDER BY id"));
    expect(all(a, "SELECT * FROM customer_mrr ORDER BY id")).toEqual(
      all(b, "SELECT * FROM customer_mrr ORDER BY id")
    );
    expect(names(c)).not.toEqual(names(a));
    expect(amounts(c)).not.toEqual(amounts(a));
  });

  it("reuses staff accounts that already exist (a bootstrap admin)", () => {
    const db = freshDb();
    const admin = createUser(db, { email: "admin@demo.test", role: "admin", name: "Original" });
    generateProgram(db, { seed: 1, partners: 10, deals: 200, asOf: AS_OF, passwordHash: "x" });
    expect(all(db, "SELECT id, name FROM users WHERE email = 'admin@demo.test'")).toEqual([
      { id: admin.id, name: "Original" },
    ]);
    expect(value(db, "SELECT count(*) FROM users WHERE role IN ('admin', 'partner_manager')")).toBe(4);
  });

  it("refuses a database that already has partners", () => {
    const { db } = generate();
    expect(() =>
      generateProgram(db, { seed: 1, partners: 5, deals: 10, asOf: AS_OF, passwordHash: "x" })
    ).toThrow(/without partners/);
  });
});

describe("generateProgram: the 60-partner demo", () => {
  let db: DB;
  let summary: ReturnType<typeof generateProgram>;
  const progress: [number, number][] = [];

  beforeAll(() => {
    ({ db, summary } = generate({
      ...DEMO_DEFAULTS,
      passwordHash: DEMO_PASSWORD_HASH,
      onProgress: (done, total) => progress.push([done, total]),
    }));
  });

  it("reports progress up to the total and a summary that matches the tables", () => {
    const [done, total] = progress[progress.length - 1]!;
    expect(done).toBe(total);
    expect(summary.deals).toBe(DEMO_DEFAULTS.deals);
    expect(value(db, "SELECT count(*) FROM deals")).toBe(DEMO_DEFAULTS.deals);
    expect(value(db, "SELECT count(*) FROM partners")).toBe(60);
    expect(value(db, "SELECT count(*) FROM touches")).toBe(summary.touches);
    expect(value(db, "SELECT count(*) FROM customer_mrr")).toBe(summary.mrrRows);
    expect(Object.values(summary.dealsByStage).reduce((a, b) => a + b)).toBe(summary.deals);
  });

  it("gives every seeded claim a real proof file in the proof folder, a PDF naming the activity", async () => {
    const claims = all<{ id: number; title: string; files: number }>(
      db,
      `SELECT r.id, r.title, (SELECT count(*) FROM mdf_proof_files f WHERE f.request_id = r.id) AS files
         FROM mdf_requests r WHERE r.status IN ('claimed', 'paid')`,
    );
    expect(claims.length).toBeGreaterThan(0);
    expect(claims.filter((c) => c.files === 0)).toEqual([]);
    const rows = all<{ requestId: number; partnerId: number; owner: number; storedName: string; sizeBytes: number; contentType: string }>(
      db,
      `SELECT f.request_id AS requestId, f.partner_id AS partnerId, r.partner_id AS owner, f.stored_name AS storedName,
              f.size_bytes AS sizeBytes, f.content_type AS contentType
         FROM mdf_proof_files f JOIN mdf_requests r ON r.id = f.request_id`,
    );
    expect(summary.proofFiles).toBe(rows.length);
    const folder = proofFolder(db.$client.name);
    for (const row of rows) {
      const file = path.join(folder, row.storedName);
      expect(fs.existsSync(file), `${row.storedName} of request ${row.requestId}`).toBe(true);
      const bytes = fs.readFileSync(file);
      expect(bytes.length).toBe(row.sizeBytes);
      expect(proofFileType(bytes)?.contentType).toBe(row.contentType);
      expect(row.partnerId).toBe(row.owner);
    }
    const first = rows[0]!;
    const title = claims.find((c) => c.id === first.requestId)!.title;
    expect(await pdfText(fs.readFileSync(path.join(folder, first.storedName)))).toContain(`Activity: ${title}`);
  });

  it("keeps every foreign key and the schema intact", () => {
    expect(all(db, "PRAGMA foreign_key_check")).toEqual([]);
    expect(value(db, "PRAGMA quick_check")).toBe("ok");
    expect(value(db, "PRAGMA foreign_keys")).toBe(1);
    expect(value(db, "PRAGMA synchronous")).toBe(2);
  });

  it("creates the program settings, the default ladder and the staff", () => {
    expect(value(db, "SELECT protection_days FROM program_settings WHERE id = 1")).toBe(90);
    expect(
      all(db, "SELECT name, rank, min_revenue_cents, min_won_deals, threshold_rule FROM tiers ORDER BY rank")
    ).toEqual(
      DEFAULT_TIERS.map((t) => ({
        name: t.name,
        rank: t.rank,
        min_revenue_cents: t.minRevenueCents,
        min_won_deals: t.minWonDeals,
        threshold_rule: t.thresholdRule,
      }))
    );
    expect(
      all(db, "SELECT email, name, role, partner_id FROM users WHERE email LIKE '%@demo.test' ORDER BY email")
    ).toEqual([
      { email: "admin@demo.test", name: "Ada Admin", role: "admin", partner_id: null },
      { email: "manager2@demo.test", name: expect.any(String), role: "partner_manager", partner_id: null },
      { email: "manager3@demo.test", name: expect.any(String), role: "partner_manager", partner_id: null },
      { email: "manager@demo.test", name: expect.any(String), role: "partner_manager", partner_id: null },
    ]);
    const perManager = all(
      db,
      "SELECT manager_id, count(*) n FROM partners WHERE manager_id IS NOT NULL GROUP BY 1"
    );
    expect(perManager).toHaveLength(3);
    for (const m of perManager) expect(m.n).toBeGreaterThanOrEqual(10);
  });

  it("gives every partner but the applied ones an admin (opted in to reports) and a salesperson, all with the password", () => {
    const partners = all(db, "SELECT id, slug FROM partners WHERE status <> 'applied'");
    const users = all(
      db,
      "SELECT email, role, partner_id, report_opt_in, password_hash FROM users WHERE partner_id IS NOT NULL"
    );
    expect(users).toHaveLength(partners.length * 2);
    for (const p of partners) {
      expect(users).toContainEqual({
        email: `admin@${p.slug}.demo.test`,
        role: "partner_admin",
        partner_id: p.id,
        report_opt_in: 1,
        password_hash: DEMO_PASSWORD_HASH,
      });
      expect(users).toContainEqual({
        email: `sales@${p.slug}.demo.test`,
        role: "partner_user",
        partner_id: p.id,
        report_opt_in: 0,
        password_hash: DEMO_PASSWORD_HASH,
      });
    }
    expect(value(db, "SELECT count(*) FROM users WHERE email <> lower(email)")).toBe(0);
  });

  it("has the documented demo logins", () => {
    for (const email of Object.values(DEMO_LOGINS)) {
      expect(value(db, "SELECT count(*) FROM users WHERE email = ?", email)).toBe(1);
    }
  });

  it("has unique ASCII slugs, non-ASCII names, and every kind, region, status and report format", () => {
    const partners = all(
      db,
      "SELECT name, slug, kind, region, status, report_format, joined_on FROM partners"
    );
    expect(new Set(partners.map((p) => p.slug)).size).toBe(partners.length);
    expect(new Set(partners.map((p) => p.name)).size).toBe(partners.length);
    for (const p of partners) expect(p.slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(partners).toContainEqual(expect.objectContaining({ name: "Łódź Systems", slug: "lodz-systems" }));
    expect(partners).toContainEqual(expect.objectContaining({ name: "Ærø Partners", slug: "aero-partners" }));
    expect(new Set(partners.map((p) => p.kind))).toEqual(new Set(PARTNER_KINDS));
    expect(new Set(partners.map((p) => p.region))).toEqual(new Set(REGIONS));
    expect(new Set(partners.map((p) => p.status))).toEqual(new Set(PARTNER_STATUSES));
    expect(new Set(partners.map((p) => p.report_format))).toEqual(new Set(REPORT_FORMATS));
    expect(partners.filter((p) => p.status === "active").length).toBeGreaterThan(partners.length * 0.8);
    expect(partners.filter((p) => p.report_format === "pdf").length).toBeGreaterThan(partners.length / 2);
    const recent = partners.filter((p) => Date.parse(p.joined_on) > AS_OF_MS - 180 * DAY);
    expect(recent.length).toBeGreaterThanOrEqual(3);
    expect(recent.length).toBeLessThan(partners.length / 4);
    const oldest = Math.min(...partners.map((p) => Date.parse(p.joined_on)));
    expect(oldest).toBeLessThan(AS_OF_MS - 3 * 365 * DAY);
  });

  it("has unique, normalized customer domains", () => {
    const rows = all(db, "SELECT domain, normalized_name FROM customers");
    expect(new Set(rows.map((r) => r.domain)).size).toBe(rows.length);
    for (const r of rows) {
      expect(r.domain).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
      expect(r.normalized_name).toMatch(/^[a-z0-9]+( [a-z0-9]+)*$/);
    }
  });

  it("keeps stages and timestamps coherent", () => {
    const violations = (where: string) => value(db, `SELECT count(*) FROM deals WHERE ${where}`);
    expect(
      violations(
        "stage = 'submitted' AND (decided_at IS NOT NULL OR closed_at IS NOT NULL OR protection_ends_at IS NOT NULL)"
      )
    ).toBe(0);
    expect(
      violations(
        "stage <> 'submitted' AND (decided_at IS NULL OR decided_by IS NULL OR decided_at <= submitted_at)"
      )
    ).toBe(0);
    expect(violations("stage IN ('won', 'lost') AND (closed_at IS NULL OR closed_at <= decided_at)")).toBe(0);
    expect(violations("stage NOT IN ('won', 'lost') AND closed_at IS NOT NULL")).toBe(0);
    expect(
      violations(
        "stage = 'approved' AND partner_id IS NOT NULL AND protection_ends_at <> decided_at + 90 * 86400000"
      )
    ).toBe(0);
    expect(
      violations(
        "stage IN ('approved', 'won', 'lost', 'expired') AND partner_id IS NOT NULL AND protection_ends_at IS NULL"
      )
    ).toBe(0);
    expect(
      violations(
        "stage = 'expired' AND (partner_id IS NULL OR protection_ends_at > ?)".replace("?", String(AS_OF_MS))
      )
    ).toBe(0);
    expect(violations("stage = 'rejected' AND (rejection_reason IS NULL OR partner_id IS NULL)")).toBe(0);
    expect(violations("stage = 'lost' AND lost_reason IS NULL")).toBe(0);
    expect(
      violations(
        "(stage <> 'rejected' AND rejection_reason IS NOT NULL) OR (stage <> 'lost' AND lost_reason IS NOT NULL)"
      )
    ).toBe(0);
    expect(
      violations(`max(submitted_at, coalesce(decided_at, 0), coalesce(closed_at, 0)) > ${AS_OF_MS}`)
    ).toBe(0);
    expect(violations(`submitted_at < ${AS_OF_MS - 25 * 31 * DAY}`)).toBe(0);
    // Sales cycles of roughly 20–180 days.
    expect(
      violations(
        "stage IN ('won', 'lost') AND (closed_at - submitted_at) NOT BETWEEN 20 * 86400000 AND 180 * 86400000"
      )
    ).toBe(0);
    for (const stage of ["submitted", "approved", "rejected", "won", "lost", "expired"]) {
      expect(summary.dealsByStage[stage as keyof typeof summary.dealsByStage], stage).toBeGreaterThan(0);
    }
  });

  it("uses every product line of the app, and only those", () => {
    const lines = all(db, "SELECT DISTINCT product_line FROM deals").map((r) => r.product_line);
    expect(new Set(lines)).toEqual(new Set(PRODUCT_LINES));
  });

  it("has a few won and open deals in EUR and GBP, every one covered by a rate", () => {
    const rows = all(db, "SELECT currency, stage, count(*) n FROM deals WHERE currency <> 'USD' GROUP BY currency, stage");
    for (const currency of ["EUR", "GBP"]) {
      for (const stage of ["won", "approved"]) {
        expect(rows.find((r) => r.currency === currency && r.stage === stage)?.n, `${currency} ${stage}`).toBeGreaterThan(0);
      }
    }
    expect(missingRates(db).deals).toBe(0);
  });

  it("has realistic won amounts", () => {
    // In the reporting currency: a few deals are in EUR or GBP (db/seed/currencies.ts).
    const won = all(db, `SELECT ${closedDealReportingCentsSql("deals")} AS amount_cents FROM deals WHERE stage = 'won'`).map(
      (r) => r.amount_cents as number
    );
    expect(Math.min(...won)).toBeGreaterThanOrEqual(5_000_00);
    expect(Math.max(...won)).toBeLessThanOrEqual(400_000_00);
    const sorted = [...won].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    expect(median).toBeGreaterThan(15_000_00);
    expect(median).toBeLessThan(80_000_00);
  });

  it("lets at most one open partner registration hold each customer's claim", () => {
    expect(
      value(
        db,
        "SELECT count(*) FROM (SELECT customer_id FROM deals WHERE holds_claim = 1 GROUP BY customer_id HAVING count(*) > 1)"
      )
    ).toBe(0);
    expect(
      value(
        db,
        "SELECT count(*) FROM deals WHERE holds_claim = 1 AND (partner_id IS NULL OR stage NOT IN ('submitted', 'approved'))"
      )
    ).toBe(0);
    // Every open partner registration either holds the claim or another open one does.
    expect(
      value(
        db,
        `SELECT count(*) FROM deals d WHERE d.partner_id IS NOT NULL AND d.stage IN ('submitted', 'approved')
           AND d.holds_claim = 0 AND NOT EXISTS (SELECT 1 FROM deals o WHERE o.customer_id = d.customer_id AND o.holds_claim = 1)`
      )
    ).toBe(0);
  });

  it("has approved registrations whose protection ends within 14 days, some for the first partner", () => {
    const soon = `stage = 'approved' AND partner_id IS NOT NULL AND protection_ends_at BETWEEN ${AS_OF_MS} AND ${
      AS_OF_MS + 14 * DAY
    }`;
    expect(value(db, `SELECT count(*) FROM deals WHERE ${soon}`)).toBeGreaterThanOrEqual(3);
    expect(
      value(db, `SELECT count(*) FROM deals WHERE ${soon} AND partner_id = (SELECT min(id) FROM partners)`)
    ).toBeGreaterThanOrEqual(2);
  });

  it("makes roughly a third of deals direct", () => {
    const direct = value(db, "SELECT avg(partner_id IS NULL) FROM deals");
    expect(direct).toBeGreaterThanOrEqual(0.3);
    expect(direct).toBeLessThanOrEqual(0.4);
  });

  it("concentrates won revenue: the top 20% of partners hold 70–90%", () => {
    const revenue = all(
      db,
      `SELECT coalesce(sum(d.amount_cents), 0) r FROM partners p
         LEFT JOIN deals d ON d.partner_id = p.id AND d.stage = 'won' GROUP BY p.id ORDER BY r DESC`
    ).map((r) => r.r as number);
    const total = revenue.reduce((a, b) => a + b, 0);
    const top = revenue.slice(0, Math.ceil(revenue.length * 0.2)).reduce((a, b) => a + b, 0);
    expect(top / total).toBeGreaterThan(0.7);
    expect(top / total).toBeLessThan(0.9);
    // Partners that registered nothing are the applied ones only.
    expect(revenue.filter((r) => r === 0).length).toBeLessThan(revenue.length * 0.1);
  });

  it("records submissions and other partner involvement as touches", () => {
    // The registering partner's submission: a referral touch at submittedAt.
    expect(
      value(
        db,
        `SELECT count(*) FROM deals d WHERE d.partner_id IS NOT NULL AND NOT EXISTS (
           SELECT 1 FROM touches t WHERE t.deal_id = d.id AND t.partner_id = d.partner_id AND t.kind = 'referral'
             AND t.pillar = 'sell' AND t.journey_stage IN ('consideration', 'decision') AND t.occurred_at = d.submitted_at)`
      )
    ).toBe(0);
    // Touches happen between submission and close (or today).
    expect(
      value(
        db,
        `SELECT count(*) FROM touches t JOIN deals d ON d.id = t.deal_id
          WHERE t.occurred_at < d.submitted_at OR t.occurred_at > coalesce(d.closed_at, ${AS_OF_MS})`
      )
    ).toBe(0);
    const influenced = value(
      db,
      "SELECT count(DISTINCT t.deal_id) FROM touches t JOIN deals d ON d.id = t.deal_id WHERE d.partner_id IS NULL"
    );
    expect(influenced).toBeGreaterThan(100);
    const multiPartner = value(
      db,
      "SELECT count(*) FROM (SELECT deal_id FROM touches GROUP BY deal_id HAVING count(DISTINCT partner_id) > 1)"
    );
    expect(multiPartner).toBeGreaterThan(50);
    for (const column of ["kind", "pillar", "journey_stage"]) {
      expect(value(db, `SELECT count(DISTINCT ${column}) FROM touches`), column).toBeGreaterThanOrEqual(4);
    }
  });

  it("sets each partner's tier to the highest rung it qualifies for on trailing-12-month results", () => {
    const trailingStart = Date.UTC(2024, 5, 1);
    const tiers = all(
      db,
      "SELECT id, rank, min_revenue_cents, min_won_deals, threshold_rule FROM tiers ORDER BY rank DESC"
    );
    const rows = all(
      db,
      `SELECT p.id, p.status, p.tier_id,
              coalesce(sum(CASE WHEN d.stage = 'won' THEN ${closedDealReportingCentsSql("d")} END), 0) revenue,
              count(CASE WHEN d.stage = 'won' THEN 1 END) won
         FROM partners p LEFT JOIN deals d ON d.partner_id = p.id AND d.closed_at >= ?
        GROUP BY p.id`,
      trailingStart
    );
    const counts = new Map<number, number>();
    for (const p of rows) {
      const expected = tiers.find((t) => {
        const checks = [p.revenue >= t.min_revenue_cents, p.won >= t.min_won_deals];
        if (t.min_revenue_cents === 0 && t.min_won_deals === 0) return true;
        return t.threshold_rule === "any"
          ? (t.min_revenue_cents > 0 && checks[0]) || (t.min_won_deals > 0 && checks[1])
          : checks.every(Boolean);
      })!;
      expect(p.tier_id, `partner ${p.id}`).toBe(expected.id);
      counts.set(expected.rank, (counts.get(expected.rank) ?? 0) + 1);
    }
    // A ladder worth showing: every rung is occupied.
    expect([...counts.keys()].sort()).toEqual([0, 1, 2, 3]);
  });

  it("imports monthly MRR for won customers only, from their first win up to the as-of month", () => {
    expect(
      value(
        db,
        "SELECT count(*) FROM customer_mrr m WHERE NOT EXISTS (SELECT 1 FROM deals d WHERE d.customer_id = m.customer_id AND d.stage = 'won')"
      )
    ).toBe(0);
    expect(
      value(
        db,
        `SELECT count(*) FROM customer_mrr m WHERE m.month < (SELECT strftime('%Y-%m', min(closed_at) / 1000, 'unixepoch')
           FROM deals d WHERE d.customer_id = m.customer_id AND d.stage = 'won')`
      )
    ).toBe(0);
    expect(value(db, "SELECT max(month) FROM customer_mrr")).toBe("2025-05");
    expect(value(db, "SELECT min(mrr_cents) FROM customer_mrr")).toBeGreaterThan(0);
    // Some customers churned (their MRR stops before the last month), some expanded.
    const lastMonths = all(db, "SELECT customer_id, max(month) last FROM customer_mrr GROUP BY customer_id");
    expect(lastMonths.filter((r) => r.last < "2025-05").length).toBeGreaterThan(10);
    const expanded = value(
      db,
      `SELECT count(*) FROM customer_mrr a JOIN customer_mrr b ON b.customer_id = a.customer_id
         AND b.month = strftime('%Y-%m', a.month || '-01', '+1 month') WHERE b.mrr_cents > a.mrr_cents`
    );
    expect(expanded).toBeGreaterThan(10);
  });

  it("leaves three pending partner applications, and one for each applied partner", () => {
    const apps = all(db, "SELECT * FROM partner_applications");
    const applied = value(db, "SELECT count(*) FROM partners WHERE status = 'applied'");
    expect(applied).toBeGreaterThan(0);
    expect(apps).toHaveLength(3 + applied);
    for (const a of apps) {
      expect(a.status).toBe("pending");
      expect(a.contact_email).toMatch(/@/);
      expect(a.message.length).toBeGreaterThan(20);
      expect(a.created_at).toBeLessThan(AS_OF_MS);
    }
  });
});

describe("generateProgram: bulk load", () => {
  it("rebuilds the same indexes and restores the pragmas after loading without them", () => {
    const indexes = (db: DB) =>
      all(db, "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name");
    const normal = generate({ bulkLoad: false }).db;
    const bulk = generate({ bulkLoad: true }).db;
    expect(indexes(bulk)).toEqual(indexes(normal));
    expect(all(bulk, "SELECT * FROM deals ORDER BY id")).toEqual(
      all(normal, "SELECT * FROM deals ORDER BY id")
    );
    expect(all(bulk, "PRAGMA foreign_key_check")).toEqual([]);
    expect(value(bulk, "PRAGMA foreign_keys")).toBe(1);
    expect(value(bulk, "PRAGMA synchronous")).toBe(2);
  });
});
