// An outcome import run as its own OS process, for the outbox test of a crash between the
// import's commit and its emails: applies the CSV (won emails enqueued in the same
// transaction), says "committed", and then hangs without draining until the test kills it.
//   argv: <db file> <csv file>
import fs from "node:fs";
import { closeDatabase, openDatabase } from "../../app/db.server";
import { applyOutcomeImport } from "../../app/domain/imports.server";

const [file, csvFile] = process.argv.slice(2);
if (!file || !csvFile) {
  console.error("usage: outcome-import-process <db> <csv>");
  process.exit(2);
}
const db = openDatabase(file);
const result = applyOutcomeImport(db, "system", fs.readFileSync(csvFile, "utf8"), new Date(), {
  config: { APP_URL: "http://portal.test" },
});
process.stdout.write(`committed ${JSON.stringify(result.won)}\n`);
setInterval(() => {}, 60_000);
process.on("SIGTERM", () => (closeDatabase(db), process.exit(0)));
