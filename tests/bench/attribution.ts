// `npm run bench:attribution`: time to compute every partner's trailing-12-month attribution
// on a big program — under the program model, under each model, and under all six in one pass —
// plus the tier metrics the month-end evaluation needs, next to a plain SUM … GROUP BY over the
// same won deals measured in the same run.
//
//   npm run bench:attribution -- [--database /tmp/big.db] [--iterations 3]
//
// A missing database is seeded first (10,000 partners, 1,000,000 deals, seed 7).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { parseArgs } from "node:util";
import type { AttributionModel } from "../../db/schema";
import { closeDatabase, openDatabase, runMigrations } from "../../app/db.server";
import { MODELS } from "../../app/domain/attribution";
import { creditAllPartners, trailing12Months } from "../../app/domain/attribution.server";
import { tierMetricsForAll } from "../../app/domain/tier-metrics.server";

const { values } = parseArgs({
  options: { database: { type: "string" }, iterations: { type: "string" } },
  strict: true,
});
const database = values.database ?? "/tmp/big.db";
const iterations = Number(values.iterations ?? 3);
if (!Number.isInteger(iterations) || iterations < 1) {
  console.error(`bench:attribution: --iterations must be a positive whole number, got ${values.iterations}`);
  process.exit(2);
}
if (!fs.existsSync(database)) {
  console.log(`${database} is missing: seeding 10,000 partners / 1,000,000 deals first…`);
  execFileSync("npx", ["tsx", "app/cli/seed.ts", "--partners", "10000", "--deals", "1000000", "--seed", "7", "--database", database], {
    stdio: "inherit",
  });
}

const db = openDatabase(database);
runMigrations(db);
const asOf = new Date();
const window = trailing12Months(asOf);

function time(run: () => unknown) {
  const samples: number[] = [];
  let result: unknown;
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    result = run();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)]!, result };
}

const counts = db.$client
  .prepare("SELECT count(*) AS deals, (SELECT count(*) FROM partners) AS partners FROM deals WHERE stage = 'won' AND closed_at >= ? AND closed_at < ?")
  .get(window.from.getTime(), window.to.getTime()) as { deals: number; partners: number };
console.log(
  `${database}: ${counts.partners.toLocaleString("en-US")} partners, ${counts.deals.toLocaleString("en-US")} won deals in the trailing 12 months ` +
    `(${window.from.toISOString().slice(0, 10)} – ${window.to.toISOString().slice(0, 10)}); median of ${iterations} runs\n`,
);

const rows: [string, number, string][] = [];
const baseline = time(() =>
  db.$client
    .prepare("SELECT partner_id, SUM(amount_cents) FROM deals WHERE stage = 'won' AND closed_at >= ? AND closed_at < ? GROUP BY partner_id")
    .all(window.from.getTime(), window.to.getTime()),
);
rows.push(["plain SUM … GROUP BY partner (baseline)", baseline.median, ""]);
for (const model of MODELS) {
  const r = time(() => creditAllPartners(db, window, [model as AttributionModel]));
  const partners = (r.result as Map<string, Map<number, unknown>>).get(model)!.size;
  rows.push([`all partners, ${model}`, r.median, `${partners.toLocaleString("en-US")} partners credited`]);
}
const all = time(() => creditAllPartners(db, window, MODELS));
rows.push(["all partners, all six models in one pass", all.median, ""]);
const metrics = time(() => tierMetricsForAll(db, asOf));
rows.push(["tier metrics of every active partner (program model)", metrics.median, `${(metrics.result as Map<number, unknown>).size.toLocaleString("en-US")} partners`]);

const width = Math.max(...rows.map((r) => r[0].length));
for (const [label, ms, note] of rows) {
  console.log(`${label.padEnd(width)}  ${ms.toFixed(0).padStart(7)} ms  ${(ms / baseline.median).toFixed(1).padStart(6)}× baseline  ${note}`);
}
closeDatabase(db);
