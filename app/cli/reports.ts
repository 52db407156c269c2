// `npm run reports -- <command>`: the monthly reports from the command line. One function per
// subcommand in COMMANDS, each with its own options and a line in the usage text.
//
//   npm run reports -- render --partner alpha --period 2026-10 --out alpha.pdf
//   npm run reports -- render --ecosystem --period 2026-10 --out ecosystem.pdf
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { parseArgs } from "node:util";
import { eq } from "drizzle-orm";
import { partners } from "../../db/schema";
import { closeDatabase, openDatabase, type DB } from "../db.server";
import { lastCompletedPeriod, periodLabel } from "../domain/periods";
import { ReportError, validateReportPeriod } from "../reports/contract";
import { buildEcosystemReport } from "../reports/ecosystem-report.server";
import { buildPartnerReport } from "../reports/partner-report.server";
import { createProgressBar, formatCount, formatDuration } from "./progress";
import { createMailer } from "../mailer.server";
import { ConfigError, loadConfig } from "../config.server";
import { runUntilSettled, type DeliverySummary } from "../reports/delivery-worker.server";
import { DeliveryError, enqueuePeriod } from "../reports/delivery.server";
import { partnerReportRecipients, renderEcosystemReport, renderPartnerReport } from "../reports/render.server";
import { pdfThreads, renderingProcessEnv } from "../reports/pdf-pool.server";

const USAGE = `Usage: npm run reports -- <command> [options]

Commands:
  render    Render one report to a file, without sending anything.
            --partner SLUG     the partner's report (or --ecosystem for the internal one)
            --ecosystem        the internal monthly ecosystem report
            --period YYYY-MM   the month (default: last month, ${lastCompletedPeriod()})
            --out FILE         where to write it; .pdf (default), .json (the report model)
            --database PATH    SQLite file (default: $DATABASE_PATH or ./data/portal.db)

  send      Queue a month's reports and deliver them (SMTP_URL, else the outbox folder).
            Delivery is at least once: a report cut off by a crash is sent again, always
            under the same Message-ID (<kind.identity@mail domain>), so receivers can tell
            the repeat. A re-run sends only what is still due, and first waits (at most
            MAIL_LEASE_MS, 30 s) for reports a crashed run left half-done, then sends them.
            Exits 1 when anything is left retrying (temporary errors, retried with backoff
            for about 3 days, MAIL_MAX_ATTEMPTS tries), failed, or partly refused.
            --period YYYY-MM   the month, which must have ended (default: last month)
            --partner SLUG     only this partner's report (no ecosystem report)
            --dry-run          render and count what would be sent; send and write nothing
            --concurrency N    reports in flight at once per process, 1–32 (default 4)
            --processes N      worker processes sharing the queue, 1–16 (default 1); rendering
                               is CPU-bound, so one per core makes a big month go faster; they
                               share the cores' PDF threads (PDF_THREADS to set each one's)
            --database PATH    SQLite file (default: $DATABASE_PATH or ./data/portal.db)

  help      Show this help.`;

/** A mistake in the command line: printed with the usage hint, exit code 2. */
class UsageError extends Error {}

type Command = (argv: string[]) => Promise<void>;

function databasePath(value: string | undefined) {
  const file = value ?? process.env.DATABASE_PATH ?? "./data/portal.db";
  if (!fs.existsSync(file)) throw new UsageError(`There is no database at ${file}: pass --database PATH.`);
  return file;
}

function period(value: string | undefined): string {
  const p = value ?? lastCompletedPeriod();
  try {
    return validateReportPeriod(p);
  } catch (error) {
    if (error instanceof ReportError) throw new UsageError(`--period: ${error.message}`);
    throw error;
  }
}

function partnerIdBySlug(db: DB, slug: string): number {
  const row = db.select({ id: partners.id }).from(partners).where(eq(partners.slug, slug)).get();
  if (!row) throw new UsageError(`No partner has the slug "${slug}". The slugs are on the internal Partners page.`);
  return row.id;
}

async function render(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      partner: { type: "string" },
      ecosystem: { type: "boolean", default: false },
      period: { type: "string" },
      out: { type: "string" },
      database: { type: "string" },
    },
  });
  if (values.partner !== undefined && values.ecosystem) throw new UsageError("Give either --partner SLUG or --ecosystem, not both.");
  if (values.partner === undefined && !values.ecosystem) throw new UsageError("Say which report: --partner SLUG or --ecosystem.");
  const month = period(values.period);
  const name = values.ecosystem ? `ecosystem-report-${month}` : `report-${values.partner}-${month}`;
  const out = values.out ?? `${name}.pdf`;
  const ext = path.extname(out).toLowerCase();
  if (ext !== ".pdf" && ext !== ".json") throw new UsageError(`--out must end in .pdf or .json, got ${JSON.stringify(out)}.`);

  const db = openDatabase(databasePath(values.database), { readonly: true });
  try {
    const started = performance.now();
    let body: Buffer | string;
    // react-pdf on this thread only for `render`: `send` renders in the PDF threads, and its
    // processes would otherwise hold a second copy of the renderer and its fonts (~20 MB).
    const [{ renderEcosystemReportPdf }, { renderPartnerReportPdf }] = await Promise.all([
      import("../reports/ecosystem-report-pdf"),
      import("../reports/partner-report-pdf"),
    ]);
    if (values.ecosystem) {
      const report = buildEcosystemReport(db, month);
      body = ext === ".json" ? JSON.stringify(report, null, 2) : await renderEcosystemReportPdf(report);
    } else {
      const report = buildPartnerReport(db, partnerIdBySlug(db, values.partner!), month);
      body = ext === ".json" ? JSON.stringify(report, null, 2) : await renderPartnerReportPdf(report);
    }
    fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    fs.writeFileSync(out, body);
    const ms = Math.round(performance.now() - started);
    console.log(`Wrote ${out} (${Buffer.byteLength(body).toLocaleString("en-US")} bytes) in ${ms} ms.`);
  } finally {
    closeDatabase(db);
  }
}

function countOption(name: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max)
    throw new UsageError(`--${name} must be a whole number from 1 to ${max}, got ${JSON.stringify(value)}.`);
  return Number(value);
}

async function send(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      period: { type: "string" },
      partner: { type: "string" },
      "dry-run": { type: "boolean", default: false },
      concurrency: { type: "string" },
      processes: { type: "string" },
      database: { type: "string" },
      // Internal: this process is one of --processes' children (no enqueue, machine output).
      worker: { type: "boolean", default: false },
    },
  });
  const month = period(values.period);
  if (month > lastCompletedPeriod()) {
    throw new UsageError(`--period: ${periodLabel(month)} has not ended yet; its report goes out after the month.`);
  }
  const concurrency = countOption("concurrency", values.concurrency, 4, 32);
  const processes = countOption("processes", values.processes, 1, 16);
  if (values.partner !== undefined && !values.partner.trim()) throw new UsageError("--partner needs a slug.");
  let config;
  try {
    config = loadConfig({ ...process.env, ...(values.database ? { DATABASE_PATH: values.database } : {}) });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exitCode = 1;
    return;
  }
  const file = databasePath(values.database ?? config.DATABASE_PATH);
  if (values["dry-run"]) return sendDryRun(file, month, values.partner, concurrency, config.APP_URL);

  const db = openDatabase(file);
  const mailer = createMailer(config);
  // Ctrl-C: finish the reports in flight, claim no more, print the summary. (The terminal
  // sends it to --processes' children too; each stops the same way.)
  const abort = new AbortController();
  const onSigint = () => {
    if (abort.signal.aborted) process.exit(130);
    if (!values.worker) process.stderr.write("\nStopping after the reports in flight (Ctrl-C again to quit now)…\n");
    abort.abort();
  };
  process.on("SIGINT", onSigint);
  try {
    const started = performance.now();
    const partnerId = values.partner !== undefined ? partnerIdBySlug(db, values.partner) : undefined;
    const scope = { period: month, partnerId };
    if (values.worker) {
      const summary = await runUntilSettled(
        { db, mailer, config },
        { concurrency, scope, signal: abort.signal, onProgress: () => process.stdout.write("progress 1\n") },
      );
      const mallocArenas = process.env.MALLOC_ARENA_MAX ?? null;
      process.stdout.write(`result ${JSON.stringify({ ...summary, pdfThreads: pdfThreads(), mallocArenas })}\n`);
      return;
    }
    let enqueued;
    try {
      enqueued = enqueuePeriod(db, month, { partnerSlug: values.partner });
    } catch (error) {
      if (error instanceof DeliveryError) throw new UsageError(error.message);
      throw error;
    }
    const bar = createProgressBar(`Sending ${month}`, enqueued.queued);
    const { summary, threads, mallocArenas } =
      processes === 1
        ? {
            summary: await runUntilSettled(
              { db, mailer, config },
              { concurrency, scope, signal: abort.signal, onProgress: (done, total) => bar.update(done, total) },
            ),
            threads: [pdfThreads()],
            mallocArenas: [process.env.MALLOC_ARENA_MAX ?? null],
          }
        : await deliverInChildren(processes, [
            "--period",
            month,
            "--concurrency",
            String(concurrency),
            "--database",
            file,
            ...(values.partner !== undefined ? ["--partner", values.partner] : []),
          ], (done) => bar.update(done, Math.max(done, enqueued.queued)));
    bar.finish(`Sending ${month}`);
    printSendSummary(month, enqueued, summary, started, mailer.kind === "smtp" ? "SMTP" : `the outbox (${config.OUTBOX_DIR})`, { threads, mallocArenas });
    // The truth is the table, not this run's tally: rows another process handled count too.
    const left = db.$client
      .prepare(
        `SELECT status, count(*) AS n FROM report_deliveries WHERE period = @period
         ${partnerId !== undefined ? "AND partner_id = @partnerId" : ""}
         AND status IN ('queued', 'sending', 'failed', 'partial') GROUP BY status`,
      )
      .all({ period: month, partnerId }) as { status: string; n: number }[];
    if (left.length) {
      const n = (status: string) => left.find((r) => r.status === status)?.n ?? 0;
      const parts = [
        n("queued") ? `${formatCount(n("queued"))} retrying later (temporary errors; the server retries them, or run send again)` : "",
        n("sending") ? `${formatCount(n("sending"))} still held by another sender` : "",
        n("failed") ? `${formatCount(n("failed"))} failed (dead letters: retry them on /internal/outbox or /internal/reports)` : "",
        n("partial") ? `${formatCount(n("partial"))} partly refused (some recipients refused: see /internal/reports)` : "",
      ].filter(Boolean);
      console.error(`Not everything was delivered: ${parts.join("; ")}.`);
      process.exitCode = 1;
    }
  } finally {
    process.off("SIGINT", onSigint);
    mailer.close();
    closeDatabase(db);
  }
}

/**
 * Rendering a PDF is CPU-bound: --processes N runs N copies of `send --worker`, each claiming
 * from the same queue (the claim is atomic, so they never share a report), and adds up their
 * results. Each child gets a heap limit: react-pdf leaves much garbage that V8 collects lazily
 * (the flag also sets the child's PDF threads' limit: pdf-pool.server.ts). The children share
 * the cores' PDF threads and run with two malloc arenas (renderingProcessEnv): a process's
 * memory stays under 400 MB (docs/operations.md, "Memory").
 */
async function deliverInChildren(
  processes: number,
  args: string[],
  onProgress: (done: number) => void,
): Promise<{ summary: DeliverySummary; threads: number[]; mallocArenas: (string | null)[] }> {
  const script = process.argv[1]!;
  const execArgv = [...process.execArgv, "--max-old-space-size=192"];
  const env = { ...process.env, ...renderingProcessEnv(processes) };
  let done = 0;
  type WorkerResult = DeliverySummary & { pdfThreads: number; mallocArenas: string | null };
  const results = await Promise.all(
    Array.from(
      { length: processes },
      () =>
        new Promise<WorkerResult>((resolve, reject) => {
          const child = spawn(process.execPath, [...execArgv, script, "send", "--worker", ...args], {
            stdio: ["ignore", "pipe", "inherit"],
            env,
          });
          let result: WorkerResult | null = null;
          readline.createInterface({ input: child.stdout }).on("line", (line) => {
            if (line.startsWith("progress ")) onProgress(++done);
            else if (line.startsWith("result ")) result = JSON.parse(line.slice(7)) as WorkerResult;
          });
          child.on("exit", (code) =>
            result ? resolve(result) : reject(new Error(`A send worker stopped (exit code ${code}) before it finished.`)),
          );
        }),
    ),
  );
  const total: DeliverySummary = { sent: 0, partial: 0, skipped: 0, failed: 0, retrying: 0, lost: 0 };
  for (const r of results) for (const key of Object.keys(total) as (keyof DeliverySummary)[]) total[key] += r[key];
  return { summary: total, threads: results.map((r) => r.pdfThreads), mallocArenas: results.map((r) => r.mallocArenas) };
}

function printSendSummary(
  month: string,
  enqueued: { queued: number; skipped: number; existing: number },
  summary: DeliverySummary,
  started: number,
  via: string,
  { threads, mallocArenas }: { threads: number[]; mallocArenas: (string | null)[] },
) {
  const lines = [
    `${periodLabel(month)} reports via ${via}:`,
    `  sent       ${formatCount(summary.sent)}`,
    ...(summary.partial ? [`  partial    ${formatCount(summary.partial)}  (some recipients refused: see /internal/reports)`] : []),
    `  skipped    ${formatCount(enqueued.skipped + summary.skipped)}  (preference off, or nobody to send to)`,
    `  failed     ${formatCount(summary.failed)}${summary.failed ? "  (see the error on /internal/reports; an admin can retry them there)" : ""}`,
    `  retrying   ${formatCount(summary.retrying)}${summary.retrying ? "  (temporary errors: retried with backoff for about 3 days, or run send again later)" : ""}`,
    ...(summary.lost ? [`  taken over ${formatCount(summary.lost)}  (another worker took these over after this one's lease ran out)`] : []),
    ...(enqueued.existing ? [`  earlier    ${formatCount(enqueued.existing)}  (already queued or handled by an earlier run: not sent again)`] : []),
    `  elapsed    ${formatDuration(performance.now() - started)}`,
    `  rendering  ${threads.length} ${threads.length === 1 ? "process" : "processes"} × ${threads.join("/")} PDF ${threads.every((n) => n === 1) ? "thread" : "threads"} (PDF_THREADS), ` +
      `malloc arenas ${mallocArenas.map((n) => n ?? "default").join("/")} (MALLOC_ARENA_MAX)`,
  ];
  console.log(lines.join("\n"));
}

/** --dry-run: what `send` would do, with every report that would go out rendered; no writes. */
async function sendDryRun(file: string, month: string, slug: string | undefined, concurrency: number, appUrl: string) {
  const db = openDatabase(file, { readonly: true });
  try {
    const started = performance.now();
    if (slug !== undefined) partnerIdBySlug(db, slug);
    const candidates = db.$client
      .prepare(
        `SELECT p.id, p.status, p.report_format AS format,
                (SELECT d.status FROM report_deliveries d
                 WHERE d.partner_id = p.id AND d.period = @month AND d.kind = 'monthly') AS existing
         FROM partners p WHERE ${slug !== undefined ? "p.slug = @slug" : "p.status = 'active'"} ORDER BY p.id`,
      )
      .all({ month, slug }) as { id: number; status: string; format: string; existing: string | null }[];
    if (slug !== undefined && candidates[0]?.status !== "active") {
      throw new UsageError(`Partner "${slug}" is ${candidates[0]?.status ?? "missing"}, not active: no report.`);
    }
    const ecosystemExisting =
      slug === undefined
        ? ((db.$client
            .prepare("SELECT status FROM report_deliveries WHERE partner_key = 0 AND period = ? AND kind = 'ecosystem'")
            .pluck()
            .get(month) as string | undefined) ?? null)
        : "n/a";
    const counts = { pdf: 0, email: 0, skippedOff: 0, skippedNobody: 0, earlier: 0, bytes: 0 };
    const toRender: number[] = [];
    for (const c of candidates) {
      if (c.existing) counts.earlier++;
      else if (c.format === "off") counts.skippedOff++;
      else if (partnerReportRecipients(db, c.id).length === 0) counts.skippedNobody++;
      else toRender.push(c.id);
    }
    const renderEcosystem = ecosystemExisting === null;
    if (ecosystemExisting !== null && ecosystemExisting !== "n/a") counts.earlier++;
    const total = toRender.length + (renderEcosystem ? 1 : 0);
    const bar = createProgressBar(`Rendering ${month} (dry run)`, total);
    let done = 0;
    let next = 0;
    const config = { APP_URL: appUrl };
    const renderStarted = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < toRender.length) {
          const id = toRender[next++]!;
          const report = await renderPartnerReport(db, config, id, month);
          counts.bytes += report.pdf?.length ?? 0;
          if (report.pdf) counts.pdf++;
          else counts.email++;
          bar.update(++done, total);
        }
      }),
    );
    let ecosystemLine = slug !== undefined ? null : `  ecosystem  ${ecosystemExisting ? `already ${ecosystemExisting}` : ""}`;
    if (renderEcosystem) {
      const report = await renderEcosystemReport(db, config, month);
      bar.update(++done, total);
      ecosystemLine = `  ecosystem  ${report.recipients.length ? `would send to ${report.recipients.length} staff` : "would skip (no admin or manager)"}`;
    }
    bar.finish(`Rendering ${month} (dry run)`);
    const renderMs = performance.now() - renderStarted;
    const rendered = counts.pdf + counts.email + (renderEcosystem ? 1 : 0);
    const lines = [
      `Dry run for ${periodLabel(month)}: nothing was sent and nothing was written.`,
      `  would send ${formatCount(counts.pdf + counts.email)}  (${formatCount(counts.pdf)} with the PDF, ${formatCount(counts.email)} summary emails with a link)`,
      `  would skip ${formatCount(counts.skippedOff + counts.skippedNobody)}  (${formatCount(counts.skippedOff)} preference off, ${formatCount(counts.skippedNobody)} nobody to send to)`,
      `  earlier    ${formatCount(counts.earlier)}  (already queued or handled: a real run leaves them alone)`,
      ...(ecosystemLine ? [ecosystemLine] : []),
      `  rendered   ${formatCount(rendered)} in ${formatDuration(renderMs)}${rendered ? ` (${(renderMs / rendered).toFixed(0)} ms per report, PDFs ${(counts.bytes / Math.max(1, counts.pdf) / 1024).toFixed(0)} KiB on average)` : ""}`,
      `  elapsed    ${formatDuration(performance.now() - started)}`,
    ];
    console.log(lines.join("\n"));
  } finally {
    closeDatabase(db);
  }
}

const COMMANDS: Record<string, Command> = {
  render,
  send,
  help: async () => console.log(USAGE),
};

async function main(argv: string[]) {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h") {
    console.log(USAGE);
    return;
  }
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`Unknown command "${name}".`);
  await command(rest);
}

main(process.argv.slice(2)).catch((error) => {
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
    console.error(`${(error as Error).message}\nRun "npm run reports -- help" for the options.`);
    process.exitCode = 2;
  } else if (error instanceof ReportError) {
    console.error(error.message);
    process.exitCode = 1;
  } else {
    console.error(error);
    process.exitCode = 1;
  }
});
