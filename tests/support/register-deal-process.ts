// One contender of the deal-registration race test, run as its own OS process (`npx tsx`):
// opens the shared database file, says "ready", and on "go <epoch ms>" registers each domain
// at its scheduled instant (start + i × gap) so the two processes hit the same domain at the
// same moment. Prints one JSON line with the results.
//   argv: <db file> <partner id> <user id> <gap ms> <domain>...
import readline from "node:readline";
import { closeDatabase, openDatabase } from "../../app/db.server";
import { registerDeal, type RegistrationResult } from "../../app/domain/deals.server";

const [file, partnerIdArg, userId, gapArg, ...domains] = process.argv.slice(2);
if (!file || !partnerIdArg || !userId || !gapArg || !domains.length) {
  console.error("usage: register-deal-process <db> <partnerId> <userId> <gapMs> <domain>...");
  process.exit(2);
}
const partnerId = Number(partnerIdArg);
const gap = Number(gapArg);
const db = openDatabase(file);
db.$client.prepare("select count(*) from deals").get(); // the connection is open and warm

const lines = readline.createInterface({ input: process.stdin });
process.stdout.write("ready\n");
lines.once("line", (line) => {
  const start = Number(line.split(" ")[1]);
  const results: { domain: string; startedAt: number; result: RegistrationResult }[] = [];
  domains.forEach((domain, i) => {
    const at = start + i * gap;
    while (Date.now() < at) {
      // Spin: a timer would wake up to a few ms late, which is the whole race window.
    }
    const startedAt = Date.now();
    const result = registerDeal(
      db,
      { userId, partnerId, actor: { id: userId, label: `race-${partnerId} (partner_user)` } },
      {
        companyName: `Race Target ${domain}`,
        domain,
        contactName: "Riley Race",
        contactEmail: `riley@${domain}`,
        amountCents: 1_000_000,
        currency: "USD",
        expectedCloseOn: "2099-01-01",
        productLine: "Platform",
        notes: "",
        conflictNote: `Partner ${partnerId} registering at the same moment as another partner.`,
      },
    );
    results.push({ domain, startedAt, result });
  });
  closeDatabase(db);
  lines.close();
  process.stdout.write(`${JSON.stringify(results)}\n`, () => process.exit(0));
});
