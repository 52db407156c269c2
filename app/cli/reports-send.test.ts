// `npm run reports -- send` as a real OS process against a real migrated database: with the
// SMTP server down it exits 1 and says what is left retrying; its help says "at least once";
// with --processes N its send workers share the cores' PDF threads and run with two malloc arenas.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createDeal, createPartner, createUser, ensureDefaultProgram } from "../../db/factories";
import { createTestDatabase } from "../../tests/support/db";
import { closeDatabase } from "../db.server";

function run(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ["--import", "tsx", "app/cli/reports.ts", ...args], {
    encoding: "utf8",
    env: { ...process.env, SMTP_URL: "", ...env },
    timeout: 60_000,
  });
}

/** A port nothing listens on: connections are refused at once. */
async function closedPort() {
  const server = net.createServer().listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

describe("npm run reports -- send", () => {
  it("says delivery is at least once, under one Message-ID, in its help", () => {
    const help = run(["--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/at least once/);
    expect(help.stdout).toMatch(/same Message-ID/);
    expect(help.stdout).not.toMatch(/at most once/);
  });

  it("exits 1 and says what is left retrying when the SMTP server is down", async () => {
    const { db, file } = createTestDatabase();
    ensureDefaultProgram(db);
    const partner = createPartner(db, { slug: "northwind", name: "Northwind", joinedOn: "2024-01-01", reportFormat: "email" });
    createUser(db, { role: "partner_admin", partnerId: partner.id, email: "admin@northwind.test", reportOptIn: true });
    createDeal(db, { partnerId: partner.id, stage: "won", amountCents: 100_000 }, { now: new Date("2025-06-12T10:00:00Z") });
    closeDatabase(db);
    const result = run(["send", "--period", "2025-06", "--partner", "northwind", "--database", file], {
      SMTP_URL: `smtp://127.0.0.1:${await closedPort()}`,
      MAIL_FROM: "Partner Program <partners@portal.test>",
      APP_SECRET: "cli-test-secret-0123456789abcdef0123456789",
    });
    expect(result.status, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/retrying\s+1/);
    expect(result.stderr).toMatch(/Not everything was delivered: 1 retrying later/);
  }, 90_000);

  it("gives each of --processes' send workers its share of the cores' PDF threads and MALLOC_ARENA_MAX=2", async () => {
    const { db, file } = createTestDatabase();
    ensureDefaultProgram(db);
    for (const slug of ["northwind", "contoso"]) {
      const partner = createPartner(db, { slug, name: slug, joinedOn: "2024-01-01", reportFormat: "email" });
      createUser(db, { role: "partner_admin", partnerId: partner.id, email: `admin@${slug}.test`, reportOptIn: true });
    }
    closeDatabase(db);
    const outbox = fs.mkdtempSync(path.join(os.tmpdir(), "reports-send-"));
    const env = { OUTBOX_DIR: outbox, APP_SECRET: "cli-test-secret-0123456789abcdef0123456789", PDF_THREADS: "", MALLOC_ARENA_MAX: "", MAIL_LEASE_MS: "3000", MAIL_SMTP_TIMEOUT_MS: "2000" };
    try {
      const share = Math.max(1, Math.floor(os.availableParallelism() / 2));
      const shared = run(["send", "--period", "2025-06", "--processes", "2", "--database", file], env);
      expect(shared.status, shared.stderr).toBe(0);
      expect(shared.stdout).toMatch(/sent\s+2\b/);
      expect(shared.stdout).toContain(`rendering  2 processes × ${share}/${share} PDF thread`);
      expect(shared.stdout).toContain("malloc arenas 2/2 (MALLOC_ARENA_MAX)");
      // The operator's settings win.
      const own = run(["send", "--period", "2025-07", "--processes", "2", "--database", file], { ...env, PDF_THREADS: "3", MALLOC_ARENA_MAX: "4" });
      expect(own.status, own.stderr).toBe(0);
      expect(own.stdout).toContain("rendering  2 processes × 3/3 PDF threads");
      expect(own.stdout).toContain("malloc arenas 4/4 (MALLOC_ARENA_MAX)");
      // One process: `npm run reports` starts it with two arenas (package.json).
      const viaNpm = spawnSync("npm", ["run", "--silent", "reports", "--", "send", "--period", "2025-08", "--database", file], {
        encoding: "utf8",
        env: { ...process.env, SMTP_URL: "", ...env, MALLOC_ARENA_MAX: undefined },
        timeout: 60_000,
      });
      expect(viaNpm.status, viaNpm.stderr).toBe(0);
      expect(viaNpm.stdout).toMatch(/rendering  1 process × \d+ PDF threads? \(PDF_THREADS\), malloc arenas 2 \(MALLOC_ARENA_MAX\)/);
    } finally {
      fs.rmSync(outbox, { recursive: true, force: true });
    }
  }, 120_000);
});
