// `npm run db:seed`: fills a database with a generated demo program (db/seed/program.ts), with
// a progress bar and a summary. Refuses to touch a database that already has partners unless
// --force, which deletes the file first (so the load runs on a brand-new file).
//
//   npm run db:seed -- --partners 10000 --deals 1000000 --seed 7 --database /tmp/big.db --force
import fs from "node:fs";
import { parseArgs } from "node:util";
import { hashPassword } from "../auth/password.server";
import { createProgressBar, formatCount, formatDuration } from "./progress";
import { closeDatabase, openDatabase, runMigrations } from "../db.server";
import { DEMO_DEFAULTS, DEMO_PASSWORD, STAFF } from "../../db/seed/demo-accounts";
import { generateProgram } from "../../db/seed/program";
import { todayUtc } from "../../db/seed/time";

const USAGE = `Usage: npm run db:seed -- [options]

  --seed N          PRNG seed; the same seed and as-of date give the same data (default ${DEMO_DEFAULTS.seed})
  --partners N      number of partners (default ${DEMO_DEFAULTS.partners})
  --deals N         number of deals (default ${DEMO_DEFAULTS.deals})
  --months N        how many months of history (default ${DEMO_DEFAULTS.months})
  --as-of DATE      "today" for the data, YYYY-MM-DD (default: today, UTC)
  --database PATH   SQLite file (default: $DATABASE_PATH or ./data/portal.db)
  --force           wipe an existing database first
  --help            show this help`;

class UsageError extends Error {}

function integer(name: string, value: string | undefined, fallback: number, min: number, max: number) {
  if (value === undefined) return fallback;
  const cleaned = value.replace(/_/g, "");
  if (!/^-?\d+$/.test(cleaned))
    throw new UsageError(`--${name} must be a whole number, got ${JSON.stringify(value)}`);
  const n = Number(cleaned);
  if (n < min || n > max)
    throw new UsageError(
      `--${name} must be between ${formatCount(min)} and ${formatCount(max)}, got ${value}`
    );
  return n;
}

function parseOptions(argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        seed: { type: "string" },
        partners: { type: "string" },
        deals: { type: "string" },
        months: { type: "string" },
        "as-of": { type: "string" },
        database: { type: "string" },
        force: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values;
  let asOf = todayUtc();
  if (v["as-of"] !== undefined) {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v["as-of"]);
    const date = match ? new Date(Date.UTC(+match[1]!, +match[2]! - 1, +match[3]!)) : null;
    if (!date || date.toISOString().slice(0, 10) !== v["as-of"]) {
      throw new UsageError(`--as-of must be a date as YYYY-MM-DD, got ${JSON.stringify(v["as-of"])}`);
    }
    asOf = date;
  }
  const database = v.database ?? process.env.DATABASE_PATH ?? "./data/portal.db";
  if (!database.trim() || database === ":memory:") throw new UsageError("--database must be a file path");
  return {
    help: v.help!,
    force: v.force!,
    database,
    asOf,
    seed: integer("seed", v.seed, DEMO_DEFAULTS.seed, 0, 2 ** 32 - 1),
    partners: integer("partners", v.partners, DEMO_DEFAULTS.partners, 1, 1_000_000),
    deals: integer("deals", v.deals, DEMO_DEFAULTS.deals, 0, 20_000_000),
    months: integer("months", v.months, DEMO_DEFAULTS.months, 1, 120),
  };
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  if (options.help) {
    console.log(USAGE);
    return;
  }
  const started = performance.now();

  if (fs.existsSync(options.database)) {
    const probe = openDatabase(options.database);
    let partnerCount = 0;
    try {
      const hasTable = probe.$client
        .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'partners'")
        .get();
      if (hasTable)
        partnerCount = probe.$client.prepare("SELECT count(*) FROM partners").pluck().get() as number;
    } finally {
      closeDatabase(probe);
    }
    if (partnerCount > 0 && !options.force) {
      console.error(
        `${options.database} already has ${formatCount(partnerCount)} partners. ` +
          "Re-run with --force to delete it and seed a new program."
      );
      process.exitCode = 1;
      return;
    }
    if (options.force) {
      for (const suffix of ["", "-wal", "-shm", "-journal"])
        fs.rmSync(options.database + suffix, { force: true });
    }
  }

  const db = openDatabase(options.database);
  try {
    runMigrations(db);
    const passwordHash = await hashPassword(DEMO_PASSWORD);
    const bar = createProgressBar("Seeding");
    const summary = generateProgram(db, {
      seed: options.seed,
      partners: options.partners,
      deals: options.deals,
      months: options.months,
      asOf: options.asOf,
      passwordHash,
      onProgress: (done, total) => bar.update(done, total),
    });
    bar.finish("Seeding");

    const size = fs.statSync(options.database).size;
    const firstSlug = db.$client
      .prepare("SELECT slug FROM partners ORDER BY id LIMIT 1")
      .pluck()
      .get() as string;
    const lines = [
      `Seeded ${options.database} (seed ${options.seed}, as of ${options.asOf.toISOString().slice(0, 10)}, ${
        options.months
      } months)`,
      `  partners      ${formatCount(summary.partners)}  (${Object.entries(summary.partnersByTier)
        .map(([tier, n]) => `${tier} ${formatCount(n)}`)
        .join(", ")})`,
      `  users         ${formatCount(summary.users)}`,
      `  customers     ${formatCount(summary.customers)}`,
      `  deals         ${formatCount(summary.deals)}  (${Object.entries(summary.dealsByStage)
        .map(([stage, n]) => `${stage} ${formatCount(n)}`)
        .join(", ")})`,
      `  touches       ${formatCount(summary.touches)}`,
      `  customer MRR  ${formatCount(summary.mrrRows)} rows`,
      `  applications  ${formatCount(summary.applications)} pending`,
      `  file size     ${(size / 1024 / 1024).toFixed(1)} MiB`,
      `  elapsed       ${formatDuration(performance.now() - started)}`,
      "",
      `Sign in with password "${DEMO_PASSWORD}" as ${STAFF.map((s) => s.email).join(", ")},`,
      `or as any partner's admin@<slug>.demo.test / sales@<slug>.demo.test, e.g. admin@${firstSlug}.demo.test.`,
    ];
    console.log(lines.join("\n"));
  } finally {
    closeDatabase(db);
  }
}

main().catch((error) => {
  if (error instanceof UsageError) {
    console.error(`db:seed: ${error.message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else {
    console.error(error);
    process.exitCode = 1;
  }
});
