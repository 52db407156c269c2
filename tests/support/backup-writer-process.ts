// The write burst of the backup test, run as its own OS process (`npx tsx`): opens the shared
// database file like the server does and records one audit event per write transaction,
// numbered 1, 2, 3…, printing "acked <n>" only after the commit returned. It writes until it
// is killed.
//   argv: <db file>
import { closeDatabase, openDatabase, writeTransaction } from "../../app/db.server";
import { recordAudit } from "../../app/domain/audit.server";

const [file] = process.argv.slice(2);
if (!file) {
  console.error("usage: backup-writer-process <db>");
  process.exit(2);
}
const db = openDatabase(file);
// No automatic checkpoints: every burst row stays in the -wal file, so a plain copy of the
// main file is certain to miss acknowledged rows (the test shows that is not what backs up).
db.$client.pragma("wal_autocheckpoint = 0");

let n = 0;
function writeOne() {
  const seq = ++n;
  writeTransaction(db, (tx) =>
    recordAudit(tx, {
      actor: "system",
      action: "backup.burst",
      entityType: "backup_burst",
      entityId: seq,
      after: { seq, filler: "x".repeat(200) },
    }),
  );
  process.stdout.write(`acked ${seq}\n`);
  // Yield between writes so SIGTERM and the pipe are served; a write every turn is still a burst.
  setImmediate(writeOne);
}
process.on("SIGTERM", () => {
  closeDatabase(db);
  process.exit(0);
});
process.stdout.write("ready\n");
setImmediate(writeOne);
