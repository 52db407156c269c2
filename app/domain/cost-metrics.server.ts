// Cost and return over the database (docs/domain.md "Cost and return", decision 0022), over the
// same 12-month window as the program metrics (analyticsPeriod):
// - spend: recorded program spend by channel (program-spend.server.ts) plus MDF paid (claims
//   approved for payment, in the month they were approved) on the partner side;
// - new customers: customers whose FIRST won deal closed in the window, in the channel of that
//   deal by the one rule of attribution.ts dealSource (sourced / influenced / direct);
// - blended CAC: partner program spend ÷ new partner customers (sourced + influenced), also the
//   strict view charging all of it to sourced customers; direct spend ÷ new direct customers;
// - MDF ROI: won revenue of the registrations linked to paid claims ÷ MDF paid, per partner and
//   per activity type, with the pipeline those registrations created;
// - lead quality: registration → won days of deals won in the window, and the share won of the
//   registrations submitted in the window, per channel;
// - program ROIC: partner-channel won revenue (the rollups) × gross margin ÷ partner spend.
import { PILLARS } from "../../db/schema";
import type { DB } from "../db.server";
import {
  blendedCac,
  cacRatio,
  leadQuality,
  mdfReturn,
  programRoic,
  type Cac,
  type CacRatio,
  type LeadQuality,
  type MdfReturn,
} from "./cost-metrics";
import { analyticsPeriod, type AnalyticsPeriod } from "./ecosystem.server";
import { closedDealReportingCentsSql, dealReportingCentsSql } from "./money.server";
import { periodStart } from "./periods";
import { spendByMonth } from "./program-spend.server";
import { clientOf, ensureRollups } from "./rollups.server";

export type Channel = "sourced" | "influenced" | "direct";
const CHANNELS: Channel[] = ["sourced", "influenced", "direct"];

export type CostMonth = {
  month: string;
  partnerSpendCents: number;
  mdfPaidCents: number;
  directSpendCents: number;
  newCustomers: Record<Channel, number>;
};

export type CostMetrics = {
  period: AnalyticsPeriod;
  currency: string;
  inputs: {
    recordedPartnerSpendCents: number;
    mdfPaidCents: number;
    partnerSpendCents: number;
    directSpendCents: number;
    newCustomers: Record<Channel, number>;
    partnerWonCents: number;
    grossMarginBp: number;
  };
  cac: { partner: Cac; sourcedOnly: Cac; direct: Cac };
  cacRatio: CacRatio;
  mdf: { total: MdfReturn; byPartner: ({ partnerId: number; partnerName: string } & MdfReturn)[]; byActivity: ({ activityType: (typeof PILLARS)[number] } & MdfReturn)[] };
  leadQuality: Record<Channel, LeadQuality>;
  roic: ReturnType<typeof programRoic>;
  months: CostMonth[];
};

export function costMetrics(db: DB, asOf: Date = new Date()): CostMetrics {
  ensureRollups(db);
  const c = clientOf(db);
  const period = analyticsPeriod(asOf);
  const from = periodStart(period.fromMonth).getTime();
  const to = periodStart(period.endMonth).getTime();
  const settings = c.prepare(`SELECT currency, gross_margin_bp FROM program_settings WHERE id = 1`).get() as { currency: string; gross_margin_bp: number } | undefined;
  const grossMarginBp = settings?.gross_margin_bp ?? 7500;

  const months = new Map<string, CostMonth>(
    period.months.map((month) => [month, { month, partnerSpendCents: 0, mdfPaidCents: 0, directSpendCents: 0, newCustomers: { sourced: 0, influenced: 0, direct: 0 } }]),
  );
  for (const [month, s] of spendByMonth(db, period.fromMonth, period.endMonth)) {
    const m = months.get(month);
    if (m) {
      m.partnerSpendCents += s.partner;
      m.directSpendCents += s.direct;
    }
  }
  for (const [month, cents] of c
    .prepare(
      `SELECT strftime('%Y-%m', paid_at / 1000, 'unixepoch'), sum(paid_cents) FROM mdf_requests
        WHERE status = 'paid' AND paid_at >= ? AND paid_at < ? GROUP BY 1`,
    )
    .raw(true)
    .all(from, to) as [string, number][]) {
    const m = months.get(month);
    if (m) m.mdfPaidCents += cents;
  }
  // A customer's first won deal (earliest close, then lowest id) decides when and how it was won:
  // the rollups count them per close month and channel.
  for (const [month, channel, n] of c
    .prepare(`SELECT month, segment, customers FROM program_month_new_customers WHERE month >= ? AND month < ?`)
    .raw(true)
    .all(period.fromMonth, period.endMonth) as [string, Channel, number][]) {
    const m = months.get(month);
    if (m) m.newCustomers[channel] += n;
  }
  const list = [...months.values()];
  const sum = (f: (m: CostMonth) => number) => list.reduce((s, m) => s + f(m), 0);
  const newCustomers = { sourced: sum((m) => m.newCustomers.sourced), influenced: sum((m) => m.newCustomers.influenced), direct: sum((m) => m.newCustomers.direct) };
  const recordedPartnerSpendCents = sum((m) => m.partnerSpendCents);
  const mdfPaidCents = sum((m) => m.mdfPaidCents);
  const partnerSpendCents = recordedPartnerSpendCents + mdfPaidCents;
  const directSpendCents = sum((m) => m.directSpendCents);

  const partnerWonCents = (c
    .prepare(`SELECT coalesce(sum(won_cents), 0) FROM program_month_stats WHERE segment IN ('sourced', 'influenced') AND month >= ? AND month < ?`)
    .pluck()
    .get(period.fromMonth, period.endMonth) as number);

  const cac = {
    partner: blendedCac(partnerSpendCents, newCustomers.sourced + newCustomers.influenced),
    sourcedOnly: blendedCac(partnerSpendCents, newCustomers.sourced),
    direct: blendedCac(directSpendCents, newCustomers.direct),
  };

  // MDF: claims paid in the window, with the deals each links (a deal linked to two activities
  // counts for both: each activity claims it helped).
  const mdfRows = c
    .prepare(
      `SELECT r.id, r.partner_id, p.name, r.activity_type, r.paid_cents,
              coalesce(sum(CASE WHEN d.stage = 'won' THEN ${closedDealReportingCentsSql("d")} END), 0),
              coalesce(sum(${dealReportingCentsSql("d", asOf)}), 0),
              count(d.id)
         FROM mdf_requests r JOIN partners p ON p.id = r.partner_id
         LEFT JOIN mdf_claim_deals l ON l.request_id = r.id
         LEFT JOIN deals d ON d.id = l.deal_id AND d.stage <> 'rejected'
        WHERE r.status = 'paid' AND r.paid_at >= ? AND r.paid_at < ?
        GROUP BY r.id`,
    )
    .raw(true)
    .all(from, to) as [number, number, string, (typeof PILLARS)[number], number, number, number, number][];
  const group = <K>(key: (r: (typeof mdfRows)[number]) => K) => {
    const out = new Map<K, { activities: number; paidCents: number; wonCents: number; pipelineCents: number; linkedDeals: number }>();
    for (const r of mdfRows) {
      const g = out.get(key(r)) ?? { activities: 0, paidCents: 0, wonCents: 0, pipelineCents: 0, linkedDeals: 0 };
      g.activities++;
      g.paidCents += r[4];
      g.wonCents += r[5];
      g.pipelineCents += r[6];
      g.linkedDeals += r[7];
      out.set(key(r), g);
    }
    return out;
  };
  const total = group(() => "all").get("all") ?? { activities: 0, paidCents: 0, wonCents: 0, pipelineCents: 0, linkedDeals: 0 };
  const names = new Map(mdfRows.map((r) => [r[1], r[2]]));
  const byPartner = [...group((r) => r[1])]
    .map(([partnerId, g]) => ({ partnerId, partnerName: names.get(partnerId)!, ...mdfReturn(g) }))
    .sort((a, b) => b.paidCents - a.paidCents || a.partnerName.localeCompare(b.partnerName));
  const activity = group((r) => r[3]);
  const byActivity = PILLARS.map((activityType) => ({ activityType, ...mdfReturn(activity.get(activityType) ?? { activities: 0, paidCents: 0, wonCents: 0, pipelineCents: 0, linkedDeals: 0 }) }));

  // Lead quality.
  const days = new Map<Channel, Map<number, number>>(CHANNELS.map((ch) => [ch, new Map()]));
  // Registration → won days of the deals won in the window: the rollups' cycle histogram.
  for (const [channel, d, n] of c
    .prepare(
      `SELECT segment, cycle_days, sum(won_deals) FROM program_month_cycles
        WHERE segment IN ('sourced', 'influenced', 'direct') AND month >= ? AND month < ? GROUP BY 1, 2`,
    )
    .raw(true)
    .all(period.fromMonth, period.endMonth) as [Channel, number, number][]) {
    days.get(channel)!.set(d, (days.get(channel)!.get(d) ?? 0) + n);
  }
  const registered = new Map<Channel, { n: number; won: number }>();
  // Registrations submitted in the window and how many are won: the rollups, by submission month.
  for (const [channel, n, won] of c
    .prepare(
      `SELECT segment, sum(registered), sum(won_deals) FROM program_month_registrations
        WHERE month >= ? AND month < ? GROUP BY 1`,
    )
    .raw(true)
    .all(period.fromMonth, period.endMonth) as [Channel, number, number][]) {
    registered.set(channel, { n, won });
  }
  const lq = (ch: Channel) => leadQuality(days.get(ch)!, registered.get(ch)?.n ?? 0, registered.get(ch)?.won ?? 0);

  return {
    period,
    currency: settings?.currency ?? "USD",
    inputs: { recordedPartnerSpendCents, mdfPaidCents, partnerSpendCents, directSpendCents, newCustomers, partnerWonCents, grossMarginBp },
    cac,
    cacRatio: cacRatio(cac.partner, cac.direct),
    mdf: { total: mdfReturn(total), byPartner, byActivity },
    leadQuality: { sourced: lq("sourced"), influenced: lq("influenced"), direct: lq("direct") },
    roic: programRoic(partnerWonCents, grossMarginBp, partnerSpendCents),
    months: list,
  };
}
