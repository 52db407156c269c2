// `npm run bench:pdf`: the CPU of one partner report PDF. Builds the report of each partner asked
// for (by default the median one of the 10k-partner program and the partner with the most deals)
// once, renders it in a PDF thread as the monthly run does (app/reports/pdf-pool.server.ts, one
// thread), and after a warm-up prints per PDF the process's CPU ms (every thread: V8's garbage
// collection runs partly on helper threads), the wall ms, pages and bytes.
//
//   sqlite3 data/bench/10k-1m.db ".backup /tmp/program.db"   # a copy (bench:http seeds the original): the bench migrates it
//   npm run bench:pdf -- --database /tmp/program.db --renders 40
//
// On a shared machine the CPU figures move by ±10 % from run to run: compare a change with the
// code before it in runs that alternate, several of each.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { eq } from "drizzle-orm";
import { partners } from "../../db/schema";
import { closeDatabase, openDatabase, runMigrations, sqliteOf } from "../../app/db.server";
import { buildPartnerReport } from "../../app/reports/partner-report.server";
import { closePdfPool, renderPartnerPdf } from "../../app/reports/pdf-pool.server";

const USAGE = `npm run bench:pdf -- --database FILE [--partner SLUG]... [--period YYYY-MM] [--renders N] [--warm-up N]
  --database  a copy of a program database (it is migrated)
  --partner   a partner's slug; by default the median partner (swiftport-commerce) and the one with the most deals
  --period    the report's month (default 2026-10, reported as of the 15th of the month after)
  --renders   measured renders per partner (default 40), after --warm-up renders (default 10)`;

function int(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    console.error(`--${name}=${value}: must be a whole number ≥ 1`);
    process.exit(2);
  }
  return Number(value);
}

async function main() {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    strict: true,
    options: {
      database: { type: "string" },
      partner: { type: "string", multiple: true },
      period: { type: "string", default: "2026-10" },
      renders: { type: "string" },
      "warm-up": { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) return console.log(USAGE);
  if (!values.database || !fs.existsSync(values.database)) {
    console.error(`${values.database ? `No database at ${path.resolve(values.database)}.` : "--database is required."}\n${USAGE}`);
    process.exit(2);
  }
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(values.period)) {
    console.error(`--period=${values.period}: must be a month, YYYY-MM`);
    process.exit(2);
  }
  const renders = int("renders", values.renders, 40);
  const warmUp = int("warm-up", values["warm-up"], 10);
  process.env.PDF_THREADS = "1";

  const db = openDatabase(values.database);
  runMigrations(db);
  const [year, month] = values.period.split("-").map(Number) as [number, number];
  const now = new Date(Date.UTC(year, month, 15, 12));
  const chosen: { label: string; id: number }[] = [];
  for (const slug of values.partner ?? ["swiftport-commerce"]) {
    const partner = db.select({ id: partners.id }).from(partners).where(eq(partners.slug, slug)).get();
    if (!partner) {
      console.error(`No partner with the slug ${JSON.stringify(slug)} in ${values.database}.`);
      process.exit(2);
    }
    chosen.push({ label: slug, id: partner.id });
  }
  if (!values.partner) {
    const largest = sqliteOf(db)
      .prepare("SELECT p.id, p.slug FROM deals d JOIN partners p ON p.id = d.partner_id GROUP BY p.id ORDER BY count(*) DESC LIMIT 1")
      .get() as { id: number; slug: string } | undefined;
    if (largest) chosen.push({ label: `${largest.slug} (most deals)`, id: largest.id });
  }

  console.log(`${values.period} reports, ${warmUp} renders to warm up, then ${renders} measured, in one PDF thread:`);
  for (const { label, id } of chosen) {
    const report = buildPartnerReport(db, id, values.period, { now });
    let pdf: Buffer = Buffer.alloc(0);
    for (let i = 0; i < warmUp; i++) pdf = await renderPartnerPdf(report);
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (let i = 0; i < renders; i++) pdf = await renderPartnerPdf(report);
    const used = process.cpuUsage(cpu);
    const wall = performance.now() - started;
    const pages = pdf.toString("latin1").match(/\/Type \/Page\b/g)?.length ?? 0;
    console.log(
      `  ${label}: ${((used.user + used.system) / 1000 / renders).toFixed(1)} CPU ms per PDF (${(used.system / 1000 / renders).toFixed(1)} system), ` +
        `${(wall / renders).toFixed(1)} wall ms, ${pages} pages, ${pdf.length.toLocaleString("en-US")} bytes`,
    );
  }
  await closePdfPool();
  closeDatabase(db);
}

await main();
