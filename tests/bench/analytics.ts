// `npm run bench:analytics`: server time of the ecosystem and program-metrics pages on a big
// program, next to a plain GROUP BY over the same deals, in one run. Calls the pages' real
// loaders (as a signed-in admin) — the same domain functions, the same shaping — so what is
// measured is what a request spends before rendering.
//
//   npm run bench:analytics -- [--database /tmp/big.db] [--iterations 30]
//
// A missing database is seeded first (10,000 partners, 1,000,000 deals, seed 7); one that
// predates the rollups is migrated and rolled up once (timed, reported, not part of the figures).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import { parseArgs } from "node:util";
import type { AppLoadContext, LoaderFunctionArgs } from "@remix-run/node";
import { closeDatabase, openDatabase, runMigrations, type DB } from "../../app/db.server";
import { clearEcosystemMemo } from "../../app/domain/ecosystem.server";
import { ensureRollups } from "../../app/domain/rollups.server";
import { loader as ecosystemLoader } from "../../app/routes/internal.ecosystem/route";
import { loader as metricsLoader } from "../../app/routes/internal.metrics";

const USAGE = `Usage: npm run bench:analytics -- [--database PATH] [--iterations N]

  --database PATH   SQLite file (default /tmp/big.db; seeded with 10,000 partners and 1,000,000 deals if missing)
  --iterations N    measured runs per line, after warm-up (default 30)`;

function options() {
  try {
    const { values } = parseArgs({
      options: { database: { type: "string" }, iterations: { type: "string" }, help: { type: "boolean" } },
      strict: true,
    });
    if (values.help) {
      console.log(USAGE);
      process.exit(0);
    }
    const iterations = Number(values.iterations ?? 30);
    if (!Number.isInteger(iterations) || iterations < 1)
      throw new Error(`--iterations must be a positive whole number, got ${values.iterations}`);
    return { database: values.database ?? "/tmp/big.db", iterations };
  } catch (error) {
    console.error(`bench:analytics: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
}

type Stats = { label: string; n: number; p50: number; p95: number; min: number; max: number };

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

async function measure(
  label: string,
  iterations: number,
  warmup: number,
  run: () => unknown | Promise<unknown>,
  before?: () => void,
): Promise<Stats> {
  for (let i = 0; i < warmup; i++) {
    before?.();
    await run();
  }
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    before?.();
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { label, n: iterations, p50: percentile(times, 0.5), p95: percentile(times, 0.95), min: times[0]!, max: times[times.length - 1]! };
}

function loaderArgs(db: DB, path: string): LoaderFunctionArgs {
  const context = {
    db,
    auth: {
      sessionId: "bench",
      user: { id: "bench", email: "bench@localhost", name: "Bench", role: "admin", partnerId: null, partnerName: null, partnerSlug: null },
    },
  } as unknown as AppLoadContext;
  return { request: new Request(`http://localhost${path}`), context, params: {} };
}

async function main() {
  const { database, iterations } = options();
  if (!fs.existsSync(database)) {
    console.log(`${database} does not exist: seeding 10,000 partners and 1,000,000 deals (seed 7)…`);
    execFileSync("npx", ["tsx", "app/cli/seed.ts", "--partners", "10000", "--deals", "1000000", "--seed", "7", "--database", database], {
      stdio: "inherit",
    });
  }
  const db = openDatabase(database);
  try {
    runMigrations(db);
    const built = performance.now();
    if (ensureRollups(db))
      console.log(`Built the rollups (first run on this database) in ${((performance.now() - built) / 1000).toFixed(1)} s`);
    const count = (sql: string) => db.$client.prepare(sql).pluck().get() as number;
    console.log(
      `${database}: ${count("SELECT count(*) FROM partners").toLocaleString("en-US")} partners, ` +
        `${count("SELECT count(*) FROM deals").toLocaleString("en-US")} deals, ` +
        `${count("SELECT count(*) FROM touches").toLocaleString("en-US")} touches; ` +
        `rollups: ${count("SELECT count(*) FROM partner_month_credit").toLocaleString("en-US")} partner-month credit rows`,
    );
    console.log(
      `Machine: ${os.cpus().length} CPUs, load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}\n`,
    );

    const groupBy = db.$client.prepare("SELECT partner_id, SUM(amount_cents) FROM deals WHERE stage = 'won' GROUP BY partner_id").raw(true);
    const results: Stats[] = [];
    results.push(await measure("Ecosystem page loader", iterations, 3, () => ecosystemLoader(loaderArgs(db, "/internal/ecosystem"))));
    results.push(
      await measure("Ecosystem page loader, filtered (flag=rising, page 2)", iterations, 3, () =>
        ecosystemLoader(loaderArgs(db, "/internal/ecosystem?flag=rising&page=2")),
      ),
    );
    results.push(
      await measure(
        "Ecosystem page loader, cold (memo cleared before each run)",
        iterations,
        1,
        () => ecosystemLoader(loaderArgs(db, "/internal/ecosystem")),
        () => clearEcosystemMemo(db),
      ),
    );
    // What a request pays right after a deal in the window changes (e.g. an outcome import with
    // a back-dated close): that one month is re-read, the rest stays cached.
    const sixMonthsAgo = new Date();
    sixMonthsAgo.setUTCMonth(sixMonthsAgo.getUTCMonth() - 6);
    const bump = db.$client.prepare("UPDATE rollup_months SET version = version + 1 WHERE month = ?");
    const bumpedMonth = sixMonthsAgo.toISOString().slice(0, 7);
    results.push(
      await measure(
        `Ecosystem page loader, after a deal change in ${bumpedMonth}`,
        iterations,
        1,
        () => ecosystemLoader(loaderArgs(db, "/internal/ecosystem")),
        () => bump.run(bumpedMonth),
      ),
    );
    results.push(await measure("Program metrics page loader", iterations, 3, () => metricsLoader(loaderArgs(db, "/internal/metrics"))));
    results.push(await measure("Plain SELECT partner_id, SUM(amount_cents) … GROUP BY partner_id", iterations, 1, () => groupBy.all()));

    const width = Math.max(...results.map((r) => r.label.length));
    const num = (v: number) => v.toFixed(1).padStart(8);
    console.log(
      `${"Work".padEnd(width)}  ${"p50 ms".padStart(8)}  ${"p95 ms".padStart(8)}  ${"min".padStart(8)}  ${"max".padStart(8)}   n`,
    );
    console.log(`${"-".repeat(width)}  --------  --------  --------  --------  ---`);
    for (const r of results) console.log(`${r.label.padEnd(width)}  ${num(r.p50)}  ${num(r.p95)}  ${num(r.min)}  ${num(r.max)}  ${r.n}`);
  } finally {
    closeDatabase(db);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
