// One server process's scheduler pass, run as its own OS process (`npx tsx`), for the test of
// scheduled jobs across processes: opens the shared database file, says "ready", waits for
// "go" on stdin, runs one heartbeat pass at the injected clock (every job's latest tick at or
// before it), waits for the report deliveries it kicked, then prints one JSON line.
//   argv: <db file> <smtp port> <now ISO> <started-at ISO> <worker id>
import readline from "node:readline";
import type { Config } from "../../app/config.server";
import { closeDatabase, openDatabase } from "../../app/db.server";
import { runDueTicks } from "../../app/jobs/scheduler.server";
import { createMailer } from "../../app/mailer.server";
import { stopDeliveries } from "../../app/reports/delivery-worker.server";
import { stopOutbox } from "../../app/mail/outbox.server";

const [file, portArg, nowArg, startedArg, workerId] = process.argv.slice(2);
if (!file || !portArg || !nowArg || !startedArg || !workerId) {
  console.error("usage: scheduler-tick-process <db> <smtpPort> <nowISO> <startedAtISO> <workerId>");
  process.exit(2);
}
const db = openDatabase(file);
const mailer = createMailer({
  SMTP_URL: `smtp://127.0.0.1:${portArg}`,
  MAIL_FROM: "Partner Program <partners@portal.test>",
  OUTBOX_DIR: "/nonexistent",
});
const config = {
  APP_URL: "http://portal.test",
  MAIL_FROM: "Partner Program <partners@portal.test>",
  APP_SECRET: "ticks-test-secret-0123456789abcdef0123",
} as Config;
db.$client.prepare("select count(*) from job_runs").get(); // the connection is open and warm

const lines = readline.createInterface({ input: process.stdin });
process.stdout.write("ready\n");
lines.once("line", async () => {
  const results = await runDueTicks({ db, mailer, config }, {
    now: new Date(nowArg),
    startedAt: new Date(startedArg),
    workerId,
  });
  await Promise.all([stopDeliveries(), stopOutbox()]);
  mailer.close();
  closeDatabase(db);
  lines.close();
  process.stdout.write(
    `${JSON.stringify(results.map((r) => ({ job: r.job, at: r.at, claimed: r.claimed, outcome: r.outcome, error: r.error })))}\n`,
    () => process.exit(0),
  );
});
