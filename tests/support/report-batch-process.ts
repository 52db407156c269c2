// One report batch run as its own OS process (`npx tsx`), for the delivery tests that need
// real concurrency and real crashes: opens the shared database file, says "ready", waits for
// "go" on stdin, enqueues the period and drains the queue through SMTP, then prints one JSON
// line with the summary (after waiting out any lease a killed process left, as the CLI does).
// A test may SIGKILL it at any moment.
//   argv: <db file> <smtp port> <period> <worker id> <lease ms> <concurrency>
import readline from "node:readline";
import { closeDatabase, openDatabase } from "../../app/db.server";
import { createMailer } from "../../app/mailer.server";
import { runUntilSettled } from "../../app/reports/delivery-worker.server";
import { enqueuePeriod } from "../../app/reports/delivery.server";

const [file, portArg, period, workerId, leaseArg, concurrencyArg] = process.argv.slice(2);
if (!file || !portArg || !period || !workerId || !leaseArg || !concurrencyArg) {
  console.error("usage: report-batch-process <db> <smtpPort> <period> <workerId> <leaseMs> <concurrency>");
  process.exit(2);
}
const db = openDatabase(file);
const mailer = createMailer({
  SMTP_URL: `smtp://127.0.0.1:${portArg}`,
  MAIL_FROM: "Partner Program <partners@portal.test>",
  OUTBOX_DIR: "/nonexistent",
});
const ctx = {
  db,
  mailer,
  config: { APP_URL: "http://portal.test", MAIL_FROM: "Partner Program <partners@portal.test>", APP_SECRET: "batch-test-secret-0123456789abcdef0123" },
  leaseMs: Number(leaseArg),
  backoff: { baseMs: 50, capMs: 200 },
};
// Warm up (imports, first query) before saying ready, so two processes start together.
db.$client.prepare("select count(*) from report_deliveries").get();

const lines = readline.createInterface({ input: process.stdin });
process.stdout.write("ready\n");
lines.once("line", async () => {
  const enqueued = enqueuePeriod(db, period);
  const summary = await runUntilSettled(ctx, {
    workerId,
    concurrency: Number(concurrencyArg),
    onProgress: (done) => process.stdout.write(`progress ${done}\n`),
  });
  mailer.close();
  closeDatabase(db);
  lines.close();
  process.stdout.write(`${JSON.stringify({ enqueued, summary })}\n`, () => process.exit(0));
});
