// `npm run bench:reports`: the monthly report pipeline at program scale. Seeds an N-partner
// program (db/seed/program.ts) into a temporary database, starts a local SMTP sink, and runs
// the real pipeline — enqueuePeriod, then runDeliveries in worker processes that each claim
// from the same queue — over every partner. Prints ms per report, total time and peak RSS
// next to the time of a bare one-page react-pdf render measured in the same run, and where each
// worker process's memory is at its peak (main-thread heap, PDF threads, the rest).
//
//   npm run bench:reports -- --partners 10000 --processes 2 --concurrency 2
//
// Targets (the design scale of 10,000 partners and 1,000,000 deals, 2 cores): 10,000 partners (every one eligible) ≤ 4 minutes, peak RSS ≤ 400 MB per
// process, ms/report ≤ 2.5 × the bare render.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createProgressBar, formatCount, formatDuration } from "../../app/cli/progress";
import { closeDatabase, openDatabase, runMigrations } from "../../app/db.server";
import { createMailer } from "../../app/mailer.server";
import { previousPeriodIn } from "../../app/reports/delivery-schedule.server";
import { describeError, runDeliveries, type DeliverySummary } from "../../app/reports/delivery-worker.server";
import { enqueuePeriod } from "../../app/reports/delivery.server";
import { buildPartnerReport } from "../../app/reports/partner-report.server";
import { closePdfPool, pdfPoolMemory, renderingProcessEnv, renderPartnerPdf } from "../../app/reports/pdf-pool.server";
import { monthlyReportEmail } from "../../emails/monthly-report";
import { startSmtpServer } from "../support/smtp";

// The bench's own tools — react-pdf on this thread for the bare render, pdfjs for the text-layer
// check, the seed — are imported where they are used: a worker process loads what
// `npm run reports -- send` loads, or its RSS would be the bench's (pdfjs alone is ~120 MB).
const SELF = fileURLToPath(import.meta.url);
const MB = 1024 * 1024;

const USAGE = `Usage: npm run bench:reports -- [options]

  --partners N      partners to seed and report on (default 10000)
  --deals N         deals to seed (default 100 per partner, the design scale)
  --processes N     worker processes claiming from the queue (default: CPU count, ${os.availableParallelism()})
  --concurrency N   async workers per process (default 2)
  --database PATH   reuse a database seeded by an earlier run (--keep) instead of seeding
  --keep            keep the temporary database and print its path
  --no-analyze      keep the seed's sampled planner statistics instead of a full ANALYZE
  --bare-renders N  bare one-page renders to average (default 50)
  --heap-mb N       V8 old-space limit of each worker process (default 192; 0 = Node's default)`;

function int(name: string, value: string | undefined, fallback: number, min = 1) {
  if (value === undefined) return fallback;
  const n = Number(value.replace(/_/g, ""));
  if (!Number.isInteger(n) || n < min) {
    console.error(`--${name} must be a whole number ≥ ${min}, got ${JSON.stringify(value)}\n\n${USAGE}`);
    process.exit(2);
  }
  return n;
}

/** The parts of a process's memory at one moment (bytes). */
type MemorySplit = { rss: number; mainHeap: number; pdfHeap: number; pdfThreads: number; external: number };

/**
 * Samples this process's RSS every 100 ms, and with it where the memory is: the main thread's
 * V8 heap (committed), the PDF threads' heaps (as they last reported them) and the main
 * thread's buffers; the rest is the binary, the modules' code, malloc and thread stacks.
 * maxRSS from the kernel covers what sampling misses.
 */
function rssSampler() {
  const sample = (): MemorySplit => {
    const pool = pdfPoolMemory();
    const usage = process.memoryUsage();
    return { rss: usage.rss, mainHeap: usage.heapTotal, pdfHeap: pool.heapBytes + pool.externalBytes, pdfThreads: pool.threads, external: usage.external };
  };
  let atPeak = sample();
  const peaks = { ...atPeak };
  const take = () => {
    const now = sample();
    if (now.rss > atPeak.rss) atPeak = now;
    for (const key of Object.keys(peaks) as (keyof MemorySplit)[]) peaks[key] = Math.max(peaks[key], now[key]);
  };
  const timer = setInterval(take, 100);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      take();
      // resourceUsage().maxRSS is in kilobytes.
      return { peakRss: atPeak.rss, maxRss: process.resourceUsage().maxRSS * 1024, atPeak, peaks };
    },
  };
}

type WorkerResult = {
  summary: DeliverySummary;
  peakRss: number;
  maxRss: number;
  atPeak: MemorySplit;
  peaks: MemorySplit;
  cpuMs: number;
  ms: number;
};

// ---------------------------------------------------------------------------------------------
// Worker mode: one process draining the queue.

async function worker(argv: string[]) {
  const [file, port, concurrency, workerId] = argv;
  const sampler = rssSampler();
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const db = openDatabase(file!);
  const mailer = createMailer({
    SMTP_URL: `smtp://127.0.0.1:${port}`,
    MAIL_FROM: "Partner Program <partners@bench.test>",
    OUTBOX_DIR: os.tmpdir(),
  });
  // Say why a report had to be retried (the row's error is cleared once it is sent).
  const send = mailer.send.bind(mailer);
  mailer.send = async (message) => {
    try {
      return await send(message);
    } catch (error) {
      process.stderr.write(`[${workerId}] send failed: ${describeError(error)}\n`);
      throw error;
    }
  };
  let last = 0;
  const summary = await runDeliveries(
    { db, mailer, config: { APP_URL: "http://localhost:3000", MAIL_FROM: "Partner Program <partners@localhost>", APP_SECRET: "bench-secret-not-for-production-0000000" } },
    {
      concurrency: Number(concurrency),
      workerId,
      onProgress: (done) => {
        if (done - last >= 25) {
          process.stdout.write(`progress ${done - last}\n`);
          last = done;
        }
      },
    },
  );
  process.stdout.write(`progress ${summary.sent + summary.skipped + summary.failed + summary.retrying + summary.lost - last}\n`);
  const memory = sampler.stop();
  await closePdfPool();
  mailer.close();
  closeDatabase(db);
  const cpu = process.cpuUsage(cpu0);
  const result: WorkerResult = {
    summary,
    ...memory,
    cpuMs: (cpu.user + cpu.system) / 1000,
    ms: performance.now() - started,
  };
  process.stdout.write(`result ${JSON.stringify(result)}\n`);
}

function startWorker(
  file: string,
  port: number,
  options: { concurrency: number; heapMb: number; processes: number },
  id: string,
  onProgress: (n: number) => void,
) {
  const { concurrency, heapMb } = options;
  // Same runtime flags as this process (tsx's loader), so the child runs TypeScript too. A
  // react-pdf render leaves ~150 MB of garbage that V8 collects lazily; a heap limit makes it
  // collect sooner (peak RSS ~400 → ~270 MB at about the same CPU per report).
  const execArgv = [
    ...(process.execArgv.length ? process.execArgv : ["--import", "tsx"]),
    ...(heapMb ? [`--max-old-space-size=${heapMb}`] : []),
  ];
  const child = spawn(process.execPath, [...execArgv, SELF, "--worker", file, String(port), String(concurrency), id], {
    stdio: ["ignore", "pipe", "inherit"],
    // As `npm run reports -- send --processes N` starts its workers: the PDFs render in each
    // process's worker-thread pool, the cores shared between the processes; two malloc arenas.
    env: { ...process.env, ...renderingProcessEnv(options.processes) },
  });
  return new Promise<WorkerResult>((resolve, reject) => {
    let result: WorkerResult | null = null;
    readline.createInterface({ input: child.stdout }).on("line", (line) => {
      if (line.startsWith("progress ")) onProgress(Number(line.slice(9)));
      else if (line.startsWith("result ")) result = JSON.parse(line.slice(7)) as WorkerResult;
    });
    child.on("exit", (code) =>
      code === 0 && result ? resolve(result) : reject(new Error(`worker ${id} exited with ${code}`)),
    );
  });
}

type Split = { wallMs: number; cpuMs: number };
type Parts = {
  n: number;
  model: Split;
  pdf: Split;
  email: Split;
  smtp: Split;
  bareMs: number;
  /** Sampled PDFs whose text layer holds the partner, the month and every KPI figure of their model. */
  textChecked: number;
  textIntact: number;
  textProblems: string[];
};

/**
 * Decompose mode (a child with the workers' runtime flags, after the run): one report at a
 * time on sent PDF reports — the model, the PDF (in the worker-thread pool, as the run renders
 * it), the email, the SMTP send — wall and CPU time (process CPU: the pool's threads included)
 * for each, and the bare render in the same process, so the figures compare like with like.
 * The first PDFs' text layers are read back and compared with their models.
 */
async function decomposeMode(argv: string[]) {
  const [file, port, period, count, bare] = argv;
  const db = openDatabase(file!, { readonly: true });
  const mailer = createMailer({
    SMTP_URL: `smtp://127.0.0.1:${port}`,
    MAIL_FROM: "Partner Program <partners@bench.test>",
    OUTBOX_DIR: os.tmpdir(),
  });
  const ids = db.$client
    .prepare(
      `SELECT d.partner_id FROM report_deliveries d JOIN partners p ON p.id = d.partner_id
       WHERE d.period = ? AND d.status = 'sent' AND p.report_format = 'pdf' ORDER BY d.id LIMIT ?`,
    )
    .pluck()
    .all(period, Number(count) + 3) as number[];
  const totals = { model: { wallMs: 0, cpuMs: 0 }, pdf: { wallMs: 0, cpuMs: 0 }, email: { wallMs: 0, cpuMs: 0 }, smtp: { wallMs: 0, cpuMs: 0 } };
  const textProblems: string[] = [];
  let textChecked = 0;
  for (const [i, id] of ids.entries()) {
    const marks: { wall: number; cpu: NodeJS.CpuUsage }[] = [];
    const mark = () => marks.push({ wall: performance.now(), cpu: process.cpuUsage() });
    mark();
    const report = buildPartnerReport(db, id, period!);
    mark();
    const pdf = await renderPartnerPdf(report);
    mark();
    const email = monthlyReportEmail(report, { format: "pdf", portalUrl: "http://localhost:3000" });
    mark();
    const to = db.$client.prepare("SELECT email FROM users WHERE partner_id = ? AND report_opt_in = 1 AND disabled_at IS NULL").pluck().all(id) as string[];
    await mailer.send({ to, ...email, attachments: [{ filename: "report.pdf", content: pdf, contentType: "application/pdf" }] });
    mark();
    if (i < 5) {
      textChecked++;
      const { pdfText } = await import("../support/pdf");
      const text = await pdfText(pdf);
      const expected = [report.partner.name, report.periodLabel, ...report.kpis.map((k) => k.text.value)];
      const missing = expected.filter((s) => !text.includes(s.replace(/\s+/g, " ")));
      if (missing.length) textProblems.push(`${report.partner.slug}: ${missing.map((m) => JSON.stringify(m)).join(", ")}`);
    }
    if (i < 3) continue; // warm-up
    (["model", "pdf", "email", "smtp"] as const).forEach((key, k) => {
      const cpu = marks[k + 1]!.cpu.user + marks[k + 1]!.cpu.system - marks[k]!.cpu.user - marks[k]!.cpu.system;
      totals[key].wallMs += marks[k + 1]!.wall - marks[k]!.wall;
      totals[key].cpuMs += cpu / 1000;
    });
  }
  const n = Math.max(1, ids.length - 3);
  const per = (t: Split): Split => ({ wallMs: t.wallMs / n, cpuMs: t.cpuMs / n });
  const parts: Parts = {
    n,
    model: per(totals.model),
    pdf: per(totals.pdf),
    email: per(totals.email),
    smtp: per(totals.smtp),
    bareMs: await bareRenderMs(Number(bare)),
    textChecked,
    textIntact: textChecked - textProblems.length,
    textProblems,
  };
  await closePdfPool();
  mailer.close();
  closeDatabase(db);
  process.stdout.write(`result ${JSON.stringify(parts)}\n`);
}

function runChild<T>(args: string[], heapMb: number): Promise<T> {
  const execArgv = [
    ...(process.execArgv.length ? process.execArgv : ["--import", "tsx"]),
    ...(heapMb ? [`--max-old-space-size=${heapMb}`] : []),
  ];
  const child = spawn(process.execPath, [...execArgv, SELF, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise<T>((resolve, reject) => {
    let result: T | null = null;
    readline.createInterface({ input: child.stdout }).on("line", (line) => {
      if (line.startsWith("result ")) result = JSON.parse(line.slice(7)) as T;
    });
    child.on("exit", (code) => (result ? resolve(result) : reject(new Error(`${args[0]} exited with ${code}`))));
  });
}

// ---------------------------------------------------------------------------------------------
// The bare render: the floor any PDF report stands on.

/** Mean of `times` renders after a warm-up, trimmed of the slowest 10% (other load on the machine). */
async function bareRenderMs(times: number) {
  const [{ createElement }, { Document, Page, Text, renderToBuffer }] = await Promise.all([import("react"), import("@react-pdf/renderer")]);
  const doc = () =>
    createElement(Document, null, createElement(Page, { size: "A4" }, createElement(Text, null, "Hello, partner.")));
  for (let i = 0; i < 10; i++) await renderToBuffer(doc()); // warm up the JIT and the font
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    await renderToBuffer(doc());
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  const kept = samples.slice(0, Math.max(1, Math.ceil(samples.length * 0.9)));
  return kept.reduce((a, b) => a + b, 0) / kept.length;
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    strict: true,
    options: {
      partners: { type: "string" },
      deals: { type: "string" },
      processes: { type: "string" },
      concurrency: { type: "string" },
      database: { type: "string" },
      keep: { type: "boolean", default: false },
      "no-analyze": { type: "boolean", default: false },
      "bare-renders": { type: "string" },
      "heap-mb": { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) return console.log(USAGE);
  const partners = int("partners", values.partners, 10_000);
  const deals = int("deals", values.deals, partners * 100, 0);
  const processes = int("processes", values.processes, os.availableParallelism());
  const concurrency = int("concurrency", values.concurrency, 2);
  const bareRenders = int("bare-renders", values["bare-renders"], 50);
  const heapMb = int("heap-mb", values["heap-mb"], 192, 0);
  const sampler = rssSampler();

  // The database: seeded in a child process so the seeding's memory is not this run's.
  let file: string;
  let tmpDir: string | null = null;
  if (values.database) {
    file = path.resolve(values.database);
    if (!fs.existsSync(file)) {
      console.error(`No database at ${file}.`);
      process.exit(2);
    }
  } else {
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-reports-"));
    file = path.join(tmpDir, "bench.db");
    const seedStarted = performance.now();
    await new Promise<void>((resolve, reject) => {
      const execArgv = process.execArgv.length ? process.execArgv : ["--import", "tsx"];
      const child = spawn(
        process.execPath,
        [...execArgv, SELF, "--seed", file, String(partners), String(deals), values["no-analyze"] ? "sampled" : "full"],
        {
          stdio: "inherit",
        },
      );
      child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`seeding failed (${code})`))));
    });
    console.log(`Seeded ${formatCount(partners)} partners, ${formatCount(deals)} deals in ${formatDuration(performance.now() - seedStarted)}`);
  }

  // Reset any earlier bench run on a reused database, then enqueue the month that just ended.
  const db = openDatabase(file);
  db.$client.exec("DELETE FROM report_deliveries");
  // Every partner eligible: active, the PDF format, and its admins opted in (the seed leaves
  // some partners suspended and some admins opted out). Applicants are not partners yet: an
  // applied partner becomes active only by approving its application (partner_state trigger).
  db.$client.exec(
    "UPDATE partners SET status = 'active' WHERE status <> 'applied'; UPDATE partners SET report_format = 'pdf'; " +
      "UPDATE users SET report_opt_in = 1 WHERE role = 'partner_admin' AND disabled_at IS NULL;",
  );
  const partnerCount = db.$client.prepare("SELECT count(*) FROM partners WHERE status <> 'applied'").pluck().get() as number;
  const period = previousPeriodIn(new Date(), "UTC");
  const bareBefore = await bareRenderMs(bareRenders);

  const smtp = await startSmtpServer({ discard: true });
  // Other work on the machine skews every figure: say how busy it was.
  const loadBefore = os.loadavg()[0]!.toFixed(2);
  const started = performance.now();
  const enqueued = enqueuePeriod(db, period);
  const enqueueMs = performance.now() - started;
  const total = enqueued.queued;
  const bar = createProgressBar(`Delivering ${period}`, total);
  let done = 0;
  const results = await Promise.all(
    Array.from({ length: processes }, (_, i) =>
      startWorker(file, smtp.port, { concurrency, heapMb, processes }, `bench-${i + 1}`, (n) => bar.update((done += n), total)),
    ),
  );
  const elapsed = performance.now() - started;
  bar.finish(`Delivering ${period}`);
  const statuses = db.$client
    .prepare("SELECT status, count(*) AS n FROM report_deliveries WHERE period = ? GROUP BY status")
    .all(period) as { status: string; n: number }[];
  closeDatabase(db);
  const accepted = smtp.accepted;
  const parts = await runChild<Parts>(["--decompose", file, String(smtp.port), period, "30", String(bareRenders)], heapMb);
  const bareMs = Math.min(bareBefore, parts.bareMs);
  await smtp.close();
  const main = sampler.stop();

  const sum = (key: keyof DeliverySummary) => results.reduce((n, r) => n + r.summary[key], 0);
  const sent = sum("sent");
  const cpuMs = results.reduce((n, r) => n + r.cpuMs, 0);
  const msPerReport = elapsed / Math.max(1, sent);
  const cpuPerReport = cpuMs / Math.max(1, sent);
  const workerPeak = Math.max(...results.map((r) => Math.max(r.peakRss, r.maxRss)));
  const seconds = elapsed / 1000;
  const scaleTo10k = (elapsed / Math.max(1, sent)) * 10_000;
  const ok = (pass: boolean) => (pass ? "ok" : "MISSED");

  const lines = [
    "",
    `Report pipeline benchmark — ${formatCount(partnerCount)} partners, period ${period}, ${processes} process(es) × ${concurrency} async workers${heapMb ? ` (heap limit ${heapMb} MB)` : ""}, ${os.availableParallelism()} CPUs, load average before ${loadBefore}`,
    `  eligible          ${formatCount(enqueued.queued)} reports queued for ${formatCount(partnerCount)} partners (and the ecosystem report)  [every partner: ${ok(enqueued.queued >= partnerCount)}]`,
    `  enqueued          ${formatCount(enqueued.queued)} queued, ${formatCount(enqueued.skipped)} skipped (preference off / no recipients) in ${enqueueMs.toFixed(0)} ms`,
    `  delivered         ${formatCount(sent)} sent, ${sum("skipped")} skipped, ${sum("failed")} failed, ${sum("retrying")} retrying, ${sum("lost")} lost; SMTP sink accepted ${formatCount(accepted)}`,
    `  final statuses    ${statuses.map((s) => `${s.status} ${formatCount(s.n)}`).join(", ")}`,
    `  total time        ${formatDuration(elapsed)} (${seconds.toFixed(1)} s)${sent < 10_000 ? `; at this rate 10,000 reports take ${formatDuration(scaleTo10k)}` : ""}  [target ≤ 4 min: ${ok(scaleTo10k <= 240_000)}]`,
    `  ms per report     ${msPerReport.toFixed(1)} ms wall (throughput), ${cpuPerReport.toFixed(1)} ms CPU per report`,
    `  CPU per report    model ${parts.model.cpuMs.toFixed(1)} ms, PDF ${parts.pdf.cpuMs.toFixed(1)} ms, email ${parts.email.cpuMs.toFixed(1)} ms, SMTP ${parts.smtp.cpuMs.toFixed(1)} ms (${parts.n} reports one by one after the run, same flags; process CPU incl. the PDF threads); queue and the rest ≈ ${Math.max(0, cpuPerReport - parts.model.cpuMs - parts.pdf.cpuMs - parts.email.cpuMs - parts.smtp.cpuMs).toFixed(1)} ms`,
    `  wall per report   model ${parts.model.wallMs.toFixed(1)} ms, PDF ${parts.pdf.wallMs.toFixed(1)} ms, email ${parts.email.wallMs.toFixed(1)} ms, SMTP ${parts.smtp.wallMs.toFixed(1)} ms`,
    `  PDF text layer    ${parts.textIntact} of ${parts.textChecked} sampled PDFs hold the partner, the month and every KPI figure of their model  [${ok(parts.textChecked > 0 && parts.textIntact === parts.textChecked)}]${parts.textProblems.length ? `; missing: ${parts.textProblems.join("; ")}` : ""}`,
    `  bare render       ${bareMs.toFixed(1)} ms (one-page react-pdf Document with one Text; trimmed mean of ${bareRenders}, lower of ${bareBefore.toFixed(1)} ms before the run and ${parts.bareMs.toFixed(1)} ms in a worker after it)`,
    `  PDF vs bare       the monthly report's own PDF alone is ${(parts.pdf.wallMs / bareMs).toFixed(1)}× the bare render (wall)`,
    `  ratio             ${(msPerReport / bareMs).toFixed(2)}× the bare render (wall)  [target ≤ 2.5×: ${ok(msPerReport <= 2.5 * bareMs)}]; CPU ${(cpuPerReport / bareMs).toFixed(2)}×`,
    ...results.map(
      (r, i) =>
        `  worker ${i + 1}          ${formatCount(r.summary.sent)} sent in ${formatDuration(r.ms)}, peak RSS ${(r.peakRss / MB).toFixed(0)} MB sampled / ${(r.maxRss / MB).toFixed(0)} MB maxRSS`,
    ),
    ...results.map((r, i) => {
      const m = r.atPeak;
      const rest = m.rss - m.mainHeap - m.pdfHeap;
      return (
        `  worker ${i + 1} memory   at its peak: main thread heap ${(m.mainHeap / MB).toFixed(0)} MB, PDF threads (${m.pdfThreads}) heap+buffers ${(m.pdfHeap / MB).toFixed(0)} MB, ` +
        `rest ${(rest / MB).toFixed(0)} MB (binary, code, malloc, stacks; main-thread buffers ${(m.external / MB).toFixed(0)} MB); ` +
        `largest seen: main heap ${(r.peaks.mainHeap / MB).toFixed(0)} MB, PDF threads ${(r.peaks.pdfHeap / MB).toFixed(0)} MB`
      );
    }),
    `  orchestrator      peak RSS ${(main.peakRss / MB).toFixed(0)} MB sampled / ${(main.maxRss / MB).toFixed(0)} MB maxRSS (SMTP sink, enqueue, bare renders)`,
    `  peak RSS          ${(workerPeak / MB).toFixed(0)} MB per worker process  [target ≤ 400 MB: ${ok(workerPeak <= 400 * MB)}]`,
  ];
  console.log(lines.join("\n"));

  if (tmpDir && !values.keep) fs.rmSync(tmpDir, { recursive: true, force: true });
  else if (tmpDir) console.log(`  database kept     ${file}`);
}

async function seed(argv: string[]) {
  const [file, partners, deals, analyze] = argv;
  const [{ DEMO_PASSWORD_HASH }, { generateProgram }] = await Promise.all([import("../../db/seed/demo-accounts"), import("../../db/seed/program")]);
  const db = openDatabase(file!);
  runMigrations(db);
  const bar = createProgressBar("Seeding");
  generateProgram(db, {
    seed: 1,
    partners: Number(partners),
    deals: Number(deals),
    passwordHash: DEMO_PASSWORD_HASH,
    onProgress: (done, total) => bar.update(done, total),
  });
  bar.finish("Seeding");
  if (analyze === "full") {
    // The seed leaves sampled statistics (analysis_limit 1000) under which the planner reads a
    // partner's deals through deals_stage_closed_idx — every won deal of the year — and the
    // report model takes ~2 s per partner at 1M deals. Exact statistics: ~20 ms.
    const started = performance.now();
    db.$client.exec("PRAGMA analysis_limit = 0; ANALYZE;");
    console.log(`Full ANALYZE in ${formatDuration(performance.now() - started)}`);
  }
  db.$client.pragma("wal_checkpoint(TRUNCATE)");
  closeDatabase(db);
}

const mode = process.argv[2];
const run =
  mode === "--worker"
    ? worker(process.argv.slice(3))
    : mode === "--seed"
      ? seed(process.argv.slice(3))
      : mode === "--decompose"
        ? decomposeMode(process.argv.slice(3))
        : main();
run.catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
