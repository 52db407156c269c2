// `npm run db:backup`: an online backup taken while another OS process keeps writing holds
// every write acknowledged before it started, passes SQLite's integrity check, and restores
// into a working database; a plain copy of the file would not. Plus the command's refusals.
import { execFile, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDatabase, openDatabase, runMigrations, writeTransaction } from "../../app/db.server";
import { listAuditTrail, recordAudit } from "../../app/domain/audit.server";
import { proofFolder } from "../../app/domain/mdf.server";
import { createTestDatabase } from "../support/db";

type Run = { code: number | null; stdout: string; stderr: string };

function backupCli(args: string[]): Promise<Run> {
  const env = { ...process.env };
  delete env.DATABASE_PATH;
  return new Promise((resolve) => {
    execFile("npm", ["run", "--silent", "db:backup", "--", ...args], { env, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function burstRows(file: string): number[] {
  const copy = new Database(file, { readonly: true });
  try {
    return copy
      .prepare("SELECT CAST(entity_id AS INTEGER) FROM audit_events WHERE entity_type = 'backup_burst' ORDER BY 1")
      .pluck()
      .all() as number[];
  } finally {
    copy.close();
  }
}

function integrity(file: string): string {
  const copy = new Database(file, { readonly: true });
  try {
    return (copy.pragma("integrity_check") as { integrity_check: string }[]).map((r) => r.integrity_check).join("\n");
  } finally {
    copy.close();
  }
}

const PREFILL = 20_000;
let dir: string;
let live: string;
let writer: ChildProcessWithoutNullStreams | undefined;

beforeAll(() => {
  const { db, file } = createTestDatabase();
  live = file;
  dir = fs.mkdtempSync(path.join(path.dirname(file), "backup-"));
  // Some megabytes of history, so the copy takes many steps while the burst runs.
  const insert = db.$client.prepare(
    "INSERT INTO audit_events (at, actor_label, action, entity_type, entity_id, after) VALUES (?, 'system', 'prefill', 'prefill', ?, ?)",
  );
  db.$client.transaction(() => {
    for (let i = 1; i <= PREFILL; i++) insert.run(Date.now(), String(i), JSON.stringify({ i, filler: "p".repeat(400) }));
  })();
  db.$client.pragma("wal_checkpoint(TRUNCATE)");
  closeDatabase(db);
});

afterAll(() => {
  try {
    if (writer?.pid) process.kill(-writer.pid, "SIGKILL");
  } catch {
    // already gone
  }
});

describe("db:backup under a write burst", () => {
  let backup: string;
  let ackedBefore = 0;

  it("copies every acknowledged write, passes integrity_check, and is no plain file copy", async () => {
    writer = spawn("npx", ["tsx", path.resolve("tests/support/backup-writer-process.ts"), live], {
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    });
    let acked = 0;
    let err = "";
    writer.stderr.on("data", (c: Buffer) => (err += c.toString()));
    let pending = "";
    writer.stdout.on("data", (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop()!;
      for (const line of lines) if (line.startsWith("acked ")) acked = Number(line.slice(6));
    });
    const deadline = Date.now() + 30_000;
    while (acked < 300) {
      if (writer.exitCode !== null || Date.now() > deadline) throw new Error(`the writer did not get going: ${err}`);
      await new Promise((r) => setTimeout(r, 20));
    }

    ackedBefore = acked;
    const plain = path.join(dir, "plain-copy.db");
    fs.copyFileSync(live, plain);
    backup = path.join(dir, "portal-backup.db");
    const run = await backupCli(["--out", backup, "--database", live]);
    const ackedAfter = acked;
    const drained = new Promise((resolve) => writer!.stdout.once("close", resolve));
    process.kill(-writer.pid!, "SIGKILL");
    await drained; // every "acked" line the writer printed has been read
    const ackedEver = acked;

    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/Backing up.*100%/);
    expect(run.stdout).toMatch(/Integrity check of the copy: ok/);
    // The burst really ran while the backup did.
    expect(ackedAfter).toBeGreaterThan(ackedBefore);

    expect(integrity(backup)).toBe("ok");
    const rows = burstRows(backup);
    const m = rows.length;
    expect(m).toBeGreaterThanOrEqual(ackedBefore);
    expect(m).toBeLessThanOrEqual(ackedEver + 1); // the one in flight may have committed unprinted
    expect(rows).toEqual(Array.from({ length: m }, (_, i) => i + 1)); // a prefix, no gaps
    const prefill = new Database(backup, { readonly: true });
    expect(prefill.prepare("SELECT count(*) FROM audit_events WHERE entity_type = 'prefill'").pluck().get()).toBe(PREFILL);
    prefill.close();
    // A single self-contained file: nothing left beside it that the copy depends on.
    expect(fs.existsSync(`${backup}-wal`)).toBe(false);

    // What a plain `cp` of the main file gets at the same moment: the acknowledged writes that
    // are still in the -wal file are missing.
    expect(burstRows(plain).length).toBeLessThan(ackedBefore);
  }, 120_000);

  it("restores: stop, put the backup in place, the app opens, migrates and serves the data", () => {
    expect(backup, "the backup test ran first").toBeTruthy();
    // The server is stopped (the writer was killed with -9, so the live database still has its
    // -wal and -shm, holding writes made after the backup). The documented procedure: remove
    // the database together with its -wal and -shm, copy the backup in under its name.
    expect(fs.existsSync(`${live}-wal`)).toBe(true);
    const restored = live;
    for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(`${restored}${suffix}`, { force: true });
    fs.copyFileSync(backup, restored);
    const inBackup = burstRows(backup).length;

    const db = openDatabase(restored);
    try {
      runMigrations(db);
      const trail = listAuditTrail(db, "backup_burst", ackedBefore);
      expect(trail).toHaveLength(1);
      expect(trail[0]!.after).toMatchObject({ seq: ackedBefore });
      // Exactly the backup's state: nothing from the old -wal leaked in.
      expect(listAuditTrail(db, "backup_burst", inBackup + 1)).toHaveLength(0);
      writeTransaction(db, (tx) =>
        recordAudit(tx, { actor: "system", action: "restore.check", entityType: "restore_check", entityId: 1 }),
      );
      expect(listAuditTrail(db, "restore_check", 1)).toHaveLength(1);
    } finally {
      closeDatabase(db);
    }
    expect(integrity(restored)).toBe("ok");
  });

  it("restores: the real server starts on the restored file and serves", async () => {
    // `npm start` without the build step (the suite's global setup built the app).
    const server = spawn("npx", ["tsx", "app/server/index.ts"], {
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
      env: {
        ...process.env,
        NODE_ENV: "production",
        DATABASE_PATH: live,
        HOST: "127.0.0.1",
        PORT: "0",
        DEMO: "0",
        SCHEDULER: "0",
        OUTBOX_DIR: path.join(dir, "outbox"),
        APP_SECRET: "restore-test-secret-restore-test-secret",
      },
    });
    try {
      let out = "";
      let err = "";
      server.stderr.on("data", (c: Buffer) => (err += c.toString()));
      const url = await new Promise<string>((resolve, reject) => {
        server.stdout.on("data", (c: Buffer) => {
          out += c.toString();
          const port = /Partner portal on http:\/\/localhost:(\d+)/.exec(out)?.[1];
          if (port) resolve(`http://127.0.0.1:${port}`);
        });
        server.once("exit", (code) => reject(new Error(`the server stopped (${code}): ${out}\n${err}`)));
      });
      const res = await fetch(`${url}/healthz`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe("ok");
    } finally {
      const exited = new Promise((resolve) => server.once("exit", resolve));
      process.kill(-server.pid!, "SIGTERM");
      await exited;
    }
  }, 60_000);
});

describe("db:backup and MDF proof files", () => {
  it("copies the proof files beside the database next to the backup", async () => {
    const proofs = proofFolder(live);
    fs.mkdirSync(proofs, { recursive: true });
    const name = `backup-test-${process.pid}-${Date.now()}.pdf`;
    const bytes = Buffer.from("%PDF-1.4\n% proof kept by the backup\n%%EOF\n");
    fs.writeFileSync(path.join(proofs, name), bytes);
    try {
      const out = path.join(dir, "with-proofs.db");
      const run = await backupCli(["--out", out, "--database", live]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain(`to ${out}.mdf-proofs`);
      expect(fs.readFileSync(path.join(`${out}.mdf-proofs`, name))).toEqual(bytes);
    } finally {
      fs.rmSync(path.join(proofs, name), { force: true });
    }
  });
});

describe("db:backup refuses clearly", () => {
  it("says there is no database, and exits non-zero", async () => {
    const run = await backupCli(["--out", path.join(dir, "x.db"), "--database", path.join(dir, "missing.db")]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`There is no database at ${path.join(dir, "missing.db")}`);
    expect(fs.existsSync(path.join(dir, "x.db"))).toBe(false);
  });

  it("asks for --out", async () => {
    const run = await backupCli(["--database", live]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--out FILE");
  });

  it("says the folder for --out does not exist", async () => {
    const out = path.join(dir, "no-such-folder", "b.db");
    const run = await backupCli(["--out", out, "--database", live]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`The folder ${path.join(dir, "no-such-folder")} does not exist`);
  });

  it("will not write the backup over the database itself", async () => {
    const run = await backupCli(["--out", live, "--database", live, "--force"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--out must not be the database itself");
    expect(integrity(live)).toBe("ok");
  });

  it("says when the file is not a SQLite database", async () => {
    const notDb = path.join(dir, "notes.txt");
    fs.writeFileSync(notDb, "hello, this is not a database at all ".repeat(200));
    const run = await backupCli(["--out", path.join(dir, "y.db"), "--database", notDb]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("is not a SQLite database");
    expect(fs.existsSync(path.join(dir, "y.db"))).toBe(false);
  });

  it("prints a failed integrity check, writes no backup, and exits 1", async () => {
    const broken = path.join(dir, "broken.db");
    const db = new Database(broken);
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); CREATE INDEX t_v ON t (v);");
    const insert = db.prepare("INSERT INTO t (v) VALUES (?)");
    db.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run(`value-${i}`);
    })();
    const root = db.prepare("SELECT rootpage FROM sqlite_schema WHERE name = 't_v'").pluck().get() as number;
    const pageSize = db.pragma("page_size", { simple: true }) as number;
    db.close();
    // Scribble over the end of the index's root page: the backup copies pages as they are.
    const fd = fs.openSync(broken, "r+");
    fs.writeSync(fd, Buffer.from("zzzzzzzz"), 0, 8, root * pageSize - 40);
    fs.closeSync(fd);

    const out = path.join(dir, "from-broken.db");
    const run = await backupCli(["--out", out, "--database", broken]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/Integrity check of the copy: FAILED\n {2}\*\*\* in database main \*\*\*/);
    expect(run.stdout).toContain("index t_v");
    expect(run.stderr).toContain(`${out} was not written`);
    expect(fs.readdirSync(dir).filter((name) => name.includes("from-broken"))).toEqual([]);
  });

  it("will not overwrite an existing file without --force, and replaces it with --force", async () => {
    const out = path.join(dir, "existing.db");
    fs.writeFileSync(out, "yesterday's backup");
    const refused = await backupCli(["--out", out, "--database", live]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("already exists");
    expect(refused.stderr).toContain("--force");
    expect(fs.readFileSync(out, "utf8")).toBe("yesterday's backup");

    const forced = await backupCli(["--out", out, "--database", live, "--force"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(integrity(out)).toBe("ok");
  });
});
