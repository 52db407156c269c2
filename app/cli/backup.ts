// `npm run db:backup -- --out FILE`: a consistent copy of the live database, taken with
// SQLite's online backup API while the server keeps running and writing. The copy is written
// beside FILE under a temporary name, checked with `PRAGMA integrity_check`, switched to a
// single self-contained file (no -wal beside it) and only then renamed to FILE, so FILE is
// either a whole, checked backup or not there. Restore: docs/operations.md "Backups".
//
//   npm run db:backup -- --out backups/portal-2026-11-29.db
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { createProgressBar, formatCount } from "./progress";
import { proofFolder } from "../domain/mdf.server";

const USAGE = `Usage: npm run db:backup -- --out FILE [options]

Copies the database with SQLite's online backup API: safe while the server runs and writes.
The copy is checked with PRAGMA integrity_check before it is put at FILE. MDF proof files
(the mdf-proofs folder beside the database) are copied to FILE.mdf-proofs/.

  --out FILE         where to write the backup (its folder must exist)
  --database PATH    the SQLite file to back up (default: $DATABASE_PATH or ./data/portal.db)
  --force            replace FILE if it already exists
  --help             show this help`;

/** A mistake in the command line or the paths: printed with the usage hint, exit code 2. */
class UsageError extends Error {}

/** Pages copied per step: small enough for a progress bar, big enough to finish quickly. */
const PAGES_PER_STEP = 256;
/**
 * Another process writing between two steps makes SQLite start the copy over. After this many
 * restarts the rest is copied in one step: one read transaction, which in WAL mode does not
 * hold up the server's writers, so a steady stream of writes cannot starve the backup.
 */
const RESTARTS_BEFORE_ONE_STEP = 2;

function options(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      out: { type: "string" },
      database: { type: "string" },
      force: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return null;
  if (!values.out?.trim()) throw new UsageError("Say where to write the backup: --out FILE.");
  const database = path.resolve(values.database ?? process.env.DATABASE_PATH ?? "./data/portal.db");
  const out = path.resolve(values.out);
  if (!fs.existsSync(database)) throw new UsageError(`There is no database at ${database}: pass --database PATH.`);
  if (!fs.statSync(database).isFile()) throw new UsageError(`${database} is not a file: pass the SQLite file as --database PATH.`);
  const folder = path.dirname(out);
  if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) {
    throw new UsageError(`The folder ${folder} does not exist: create it, or choose another --out.`);
  }
  if (out === database || out === `${database}-wal` || out === `${database}-shm`) {
    throw new UsageError(`--out must not be the database itself (${database}).`);
  }
  if (fs.existsSync(out)) {
    if (fs.statSync(out).isDirectory()) throw new UsageError(`${out} is a folder: give a file name for --out.`);
    if (!values.force) throw new UsageError(`${out} already exists: choose another --out, or pass --force to replace it.`);
  }
  return { database, out };
}

function openSource(file: string) {
  try {
    const db = new Database(file, { fileMustExist: true });
    db.pragma("busy_timeout = 5000");
    db.prepare("SELECT count(*) FROM sqlite_schema").get(); // reads the header: NOTADB shows here
    return db;
  } catch (error) {
    if ((error as { code?: string }).code === "SQLITE_NOTADB") {
      throw new Error(`${file} is not a SQLite database: pass the portal's database as --database PATH.`);
    }
    throw error;
  }
}

async function backup(database: string, out: string) {
  const started = performance.now();
  const source = openSource(database);
  const partial = path.join(path.dirname(out), `.${path.basename(out)}.partial-${process.pid}`);
  const cleanUp = () => {
    for (const suffix of ["", "-wal", "-shm", "-journal"]) fs.rmSync(`${partial}${suffix}`, { force: true });
  };
  process.once("SIGINT", () => {
    cleanUp();
    process.exit(130);
  });
  try {
    const bar = createProgressBar(`Backing up ${path.basename(database)}`);
    let lastRemaining = Infinity;
    let restarts = 0;
    const result = await source.backup(partial, {
      progress({ totalPages, remainingPages }) {
        if (remainingPages > lastRemaining) restarts++;
        lastRemaining = remainingPages;
        bar.update(totalPages - remainingPages, totalPages);
        return restarts >= RESTARTS_BEFORE_ONE_STEP ? 0x7fffffff : PAGES_PER_STEP;
      },
    });
    bar.update(result.totalPages, result.totalPages);
    bar.finish(`Backing up ${path.basename(database)}`);
    if (restarts) console.error(`(the server wrote during the copy; it started over ${restarts}×, then copied the rest at once)`);

    const copy = new Database(partial, { fileMustExist: true });
    let problems: string[];
    try {
      problems = (copy.pragma("integrity_check") as { integrity_check: string }[]).map((r) => r.integrity_check);
      // One file to keep, copy and restore: the copy carries the live database's WAL flag.
      copy.pragma("journal_mode = DELETE");
    } finally {
      copy.close();
    }
    if (problems.length !== 1 || problems[0] !== "ok") {
      const lines = problems.flatMap((p) => p.split("\n"));
      console.log(`Integrity check of the copy: FAILED\n  ${lines.join("\n  ")}`);
      throw new Error(`The copy of ${database} failed its integrity check; ${out} was not written. Check the live database with PRAGMA integrity_check.`);
    }
    console.log("Integrity check of the copy: ok");
    // A -wal left beside an older file at FILE would be read as part of the new one.
    for (const suffix of ["-wal", "-shm"]) fs.rmSync(`${out}${suffix}`, { force: true });
    fs.renameSync(partial, out);
    const bytes = fs.statSync(out).size;
    console.log(
      `Wrote ${out} (${formatCount(result.totalPages)} pages, ${formatCount(bytes)} bytes) in ${((performance.now() - started) / 1000).toFixed(1)}s.`,
    );
    // MDF proof files live beside the database (mdf.server.ts): they are copied next to the
    // backup, as FILE.mdf-proofs/. Files are write-once under random names, so a copy taken
    // after the database's is complete for every claim the database copy knows.
    const proofs = proofFolder(database);
    if (fs.existsSync(proofs)) {
      const proofsOut = `${out}.mdf-proofs`;
      fs.rmSync(proofsOut, { recursive: true, force: true });
      fs.cpSync(proofs, proofsOut, { recursive: true });
      const count = fs.readdirSync(proofsOut, { recursive: true }).length;
      console.log(`Copied ${formatCount(count)} MDF proof files to ${proofsOut}.`);
    }
    const secret = path.join(path.dirname(database), "app-secret");
    if (fs.existsSync(secret)) {
      console.log(`Keep ${secret} with the backup (it is not in the copy): without it, two-factor keys cannot be read after a restore.`);
    }
  } finally {
    cleanUp();
    source.close();
  }
}

async function main(argv: string[]) {
  const paths = options(argv);
  if (!paths) {
    console.log(USAGE);
    return;
  }
  await backup(paths.database, paths.out);
}

main(process.argv.slice(2)).catch((error) => {
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
    console.error(`${(error as Error).message}\nRun "npm run db:backup -- --help" for the options.`);
    process.exitCode = 2;
  } else {
    console.error(`Backup failed: ${(error as Error).message}`);
    process.exitCode = 1;
  }
});
