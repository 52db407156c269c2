// Demo cost and MDF (decision 0022): monthly program spend that follows the generated revenue
// (commissions on partner-sourced wins, a team and tools cost that grows with the roster,
// direct sales and marketing as a share of direct wins plus a fixed base), and MDF requests of
// partners whose tier has an allowance — past quarters mostly paid with registrations linked,
// some rejected or claimed, the current quarter requested or approved. Each seeded claim has a
// real proof file (a generated one-page PDF) in the proof folder beside the database, written
// after the rows commit; an in-memory database gets none. Prepared statements in one
// transaction: fast on the 10k/1M program too.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { DB } from "../../app/db.server";
import { proofFolder } from "../../app/domain/mdf.server";
import { quarterOf } from "../../app/domain/periods";
import { PILLARS } from "../schema";
import { demoProofPdf } from "./proof-files";
import { pick, stream } from "./random";
import { DAY, isoDate, monthIndex, monthLabel } from "./time";

const ACTIVITIES: Record<(typeof PILLARS)[number], string[]> = {
  build: ["Certification bootcamp", "Integration sprint", "Solution engineer training"],
  market: ["Joint webinar", "Regional roadshow", "Trade show booth", "Co-branded email campaign"],
  sell: ["Pipeline acceleration day", "Executive briefing dinner", "Demo day for target accounts"],
  serve: ["Customer onboarding workshop", "User group meetup", "Adoption health checks"],
};

export function seedCostAndMdf(db: DB, options: { seed: number; asOf: Date; months: number; adminId: string; managerIds: string[] }) {
  const sqlite = db.$client;
  const rng = stream(options.seed, "cost");
  const asOf = options.asOf.getTime();
  const thisMonth = monthIndex(asOf);
  const firstMonth = thisMonth - options.months;
  const partnersActive = sqlite.prepare(`SELECT count(*) FROM partners WHERE status = 'active'`).pluck().get() as number;

  // Won revenue per month: partner-sourced and direct (no partner, no touch).
  const revenue = new Map<string, { sourced: number; direct: number }>();
  for (const [month, sourced, direct] of sqlite
    .prepare(
      `SELECT strftime('%Y-%m', closed_at / 1000, 'unixepoch') AS m,
              sum(CASE WHEN partner_id IS NOT NULL THEN amount_cents ELSE 0 END),
              sum(CASE WHEN partner_id IS NULL AND NOT EXISTS (SELECT 1 FROM touches t WHERE t.deal_id = deals.id) THEN amount_cents ELSE 0 END)
         FROM deals WHERE stage = 'won' AND closed_at >= ? GROUP BY m`,
    )
    .raw(true)
    .all(Date.UTC(Math.floor(firstMonth / 12), firstMonth % 12, 1)) as [string, number, number][]) {
    revenue.set(month, { sourced, direct });
  }
  const insertSpend = sqlite.prepare(`INSERT OR REPLACE INTO program_spend (month, category, amount_cents, note, created_by) VALUES (?, ?, ?, ?, ?)`);
  const round = (cents: number) => Math.round(cents / 10_000) * 10_000;
  const jitter = () => 0.85 + rng() * 0.3;

  const partnersWithAllowance = sqlite
    .prepare(
      `SELECT p.id, t.mdf_quarter_cents FROM partners p JOIN tiers t ON t.id = p.tier_id
        WHERE p.status = 'active' AND t.mdf_quarter_cents > 0 ORDER BY p.id`,
    )
    .raw(true)
    .all() as [number, number][];
  const requester = sqlite.prepare(`SELECT id FROM users WHERE partner_id = ? AND role = 'partner_admin' ORDER BY id LIMIT 1`).pluck();
  const dealsAfter = sqlite.prepare(
    `SELECT id FROM deals WHERE partner_id = ? AND stage <> 'rejected' AND submitted_at >= ? AND submitted_at < ? ORDER BY submitted_at LIMIT 3`,
  );
  const insertRequest = sqlite.prepare(
    `INSERT INTO mdf_requests (partner_id, activity_type, title, planned_on, quarter, amount_cents, expected_outcome, status,
       requested_by, decided_by, decided_at, rejection_reason, claimed_cents, claim_leads, claim_results, claimed_at, paid_cents, paid_by, paid_at, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const link = sqlite.prepare(`INSERT INTO mdf_claim_deals (request_id, deal_id) VALUES (?, ?)`);
  const insertProof = sqlite.prepare(
    `INSERT INTO mdf_proof_files (request_id, partner_id, file_name, content_type, size_bytes, stored_name, created_at) VALUES (?, ?, ?, 'application/pdf', ?, ?, ?)`,
  );
  const folder = sqlite.memory ? null : proofFolder(sqlite.name);
  const proofs: { storedName: string; bytes: Uint8Array }[] = [];

  let spendRows = 0;
  let requests = 0;
  sqlite.transaction(() => {
    for (let m = firstMonth; m < thisMonth; m++) {
      const label = monthLabel(m);
      const r = revenue.get(label) ?? { sourced: 0, direct: 0 };
      const rows: [string, number, string][] = [
        ["commissions", round(r.sourced * 0.08 * jitter()), "8% on partner-sourced wins"],
        ["team", round(Math.max(2_500_000, partnersActive * 60_000) * jitter()), "Partner managers and program staff"],
        ["tools", round(Math.max(400_000, partnersActive * 6_000)), "PRM, portal and training platform"],
        ["direct_sales_marketing", round((r.direct * 0.45 + 3_000_000) * jitter()), "Field sales, SDRs and paid acquisition"],
      ];
      for (const [category, cents, note] of rows) {
        insertSpend.run(label, category, cents, note, options.adminId);
        spendRows++;
      }
    }

    const currentQuarter = quarterOf(asOf);
    for (const [partnerId, allowance] of partnersWithAllowance) {
      const by = requester.get(partnerId) as string | undefined;
      // One activity in about half of the last four quarters, and maybe one coming up.
      for (let back = 4; back >= 0; back--) {
        if (rng() > (back === 0 ? 0.35 : 0.5)) continue;
        const activityType = pick(rng, PILLARS);
        const planned = back === 0 ? asOf + Math.floor(10 + rng() * 40) * DAY : asOf - back * 91 * DAY + Math.floor(rng() * 60 - 30) * DAY;
        if (back > 0 && planned > asOf - 20 * DAY) continue;
        const plannedOn = isoDate(planned);
        const amount = Math.max(50_000, round(allowance * (0.2 + rng() * 0.6)));
        const manager = pick(rng, options.managerIds.length ? options.managerIds : [options.adminId]);
        const createdAt = planned - Math.floor(15 + rng() * 20) * DAY;
        const decidedAt = createdAt + 2 * DAY;
        const title = `${pick(rng, ACTIVITIES[activityType])} ${quarterOf(planned).replace("-", " ")}`;
        const expected = `${Math.floor(20 + rng() * 80)} leads, ${Math.floor(2 + rng() * 8)} registrations`;
        let status: string;
        if (back === 0) status = rng() < 0.5 ? "requested" : "approved";
        else status = rng() < 0.1 ? "rejected" : back === 1 && rng() < 0.4 ? "claimed" : "paid";
        const claimed = status === "claimed" || status === "paid" ? Math.round(amount * (0.8 + rng() * 0.2)) : null;
        const claimedAt = claimed !== null ? planned + 14 * DAY : null;
        const paidAt = status === "paid" ? planned + 21 * DAY : null;
        const info = insertRequest.run(
          partnerId,
          activityType,
          title,
          plannedOn,
          quarterOf(planned),
          amount,
          expected,
          status,
          by ?? null,
          status === "requested" ? null : manager,
          status === "requested" ? null : decidedAt,
          status === "rejected" ? "The plan names no target accounts: add them and ask again." : null,
          claimed,
          claimed !== null ? Math.floor(10 + rng() * 60) : null,
          claimed !== null ? "Attendance and leads as in the attached list." : null,
          claimedAt,
          status === "paid" ? claimed : null,
          status === "paid" ? manager : null,
          paidAt,
          createdAt,
        );
        requests++;
        if (claimed !== null) {
          for (const dealId of dealsAfter.pluck().all(partnerId, planned, planned + 60 * DAY) as number[]) {
            link.run(info.lastInsertRowid, dealId);
          }
          if (folder) {
            const bytes = demoProofPdf([
              "Invoice (demo)",
              `Activity: ${title}`,
              `Held on ${plannedOn}`,
              `Amount: ${(claimed / 100).toFixed(2)}`,
              "Generated by the demo seed as the claim's proof.",
            ]);
            const storedName = `${crypto.randomUUID()}.pdf`;
            insertProof.run(info.lastInsertRowid, partnerId, `invoice-${plannedOn}.pdf`, bytes.length, storedName, claimedAt);
            proofs.push({ storedName, bytes });
          }
        }
        if (quarterOf(planned) === currentQuarter && back === 0) break;
      }
    }
  })();
  if (folder && proofs.length) {
    fs.mkdirSync(folder, { recursive: true });
    for (const p of proofs) fs.writeFileSync(path.join(folder, p.storedName), p.bytes, { flag: "wx" });
  }
  return { spendRows, mdfRequests: requests, proofFiles: proofs.length };
}
