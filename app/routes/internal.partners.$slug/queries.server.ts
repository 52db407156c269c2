// What the partner page shows beyond the partner's own facts, all from the functions that own
// each figure (no SQL here): credited revenue, its sourced/influenced split and the other
// models' totals are the partner's trailing 12 months from the rollups; tier history, report
// deliveries and the long-tail flag are the tier, delivery and ecosystem modules'.
import type { DealStage } from "../../../db/schema";
import type { DB } from "../../db.server";
import { MODEL_DESCRIPTION, MODEL_LABEL, MODELS } from "../../domain/attribution";
import { programModel, trailing12Months } from "../../domain/attribution.server";
import { parseDealFilters } from "../../domain/deals";
import { partnerPlacement } from "../../domain/ecosystem.server";
import { describeEvidence, FLAG_LABEL } from "../../domain/long-tail";
import { openPipeline, partnerCredit, partnerOutcomes } from "../../domain/figures.server";
import { periodLabel } from "../../domain/partner-attribution.server";
import { listPartnerDeals } from "../../domain/partner-deals.server";
import { listPartnerDeliveries } from "../../domain/partners.server";
import { partnerTierHistory } from "../../domain/tier-history.server";
import { calendarWindow, monthsIn, shortPeriodLabel } from "../../domain/periods";
import { snapshotFigures } from "../../domain/tier-snapshot";

/**
 * The partner's credited revenue over the trailing 12 months, the same figures as its
 * attribution page, from the month rollups (partnerCredit: whole months rolled up, the two
 * partial months through the engine) — never every deal of the year one by one.
 */
export function revenueSection(db: DB, partnerId: number, asOf = new Date()) {
  const model = programModel(db);
  const window = trailing12Months(asOf);
  const credit = partnerCredit(db, partnerId, window, MODELS, model);
  // The catalogue's figures (domain/figures.ts), as the partner's dashboard shows them: the
  // credit above, the counts of its registrations here (partnerFigures is the two together).
  const ttm = partnerOutcomes(db, partnerId, window, model);
  const open = openPipeline(db, partnerId);
  const creditedCents = credit.totals[model].cents;
  const months = monthsIn(window);
  return {
    winRate: ttm.winRate,
    closedRegistrations: ttm.won + ttm.lost,
    wonRegistrations: ttm.won,
    openRegistrations: open.openRegistrations,
    openPipelineCents: open.openPipeline,
    periodLabel: periodLabel({ kind: "ttm", value: null }),
    window: { from: window.from.toISOString(), to: window.to.toISOString() },
    model,
    modelLabel: MODEL_LABEL[model],
    modelDescription: MODEL_DESCRIPTION[model],
    /** What every other model would credit over the same 12 months. */
    comparisons: MODELS.filter((m) => m !== model).map((m) => ({
      model: m,
      label: MODEL_LABEL[m],
      cents: credit.totals[m].cents,
      deals: credit.totals[m].deals,
    })),
    currency: ttm.currency,
    creditedCents,
    creditedDeals: credit.totals[model].deals,
    sourcedCents: credit.sourcedCents ?? 0,
    influencedCents: creditedCents - (credit.sourcedCents ?? 0),
    monthly: months.map((month, i) => {
      const { from, to } = calendarWindow(month);
      const partial = (i === 0 && window.from > from) || (i === months.length - 1 && window.to < to);
      return { month, label: shortPeriodLabel(month), cents: credit.byMonth[model].get(month)?.cents ?? 0, partial };
    }),
  };
}

/** Enough to prepare a call: the latest registered deals of the stage, each linking to its registration page. */
const STAGE_DEALS_SHOWN = 10;

/** The partner's deals in one stage, chosen by `?stage=` on the page; a bad stage is said, not ignored. */
export function stageDeals(db: DB, partnerId: number, params: URLSearchParams) {
  if (!params.has("stage")) return { stage: null, error: null, rows: [], total: 0 };
  const { filters, errors } = parseDealFilters(new URLSearchParams({ stage: params.get("stage") ?? "" }));
  if (errors.stage || !filters.stage) return { stage: null, error: errors.stage ?? "Choose a stage.", rows: [], total: 0 };
  const { rows, total } = listPartnerDeals(db, partnerId, { stage: filters.stage });
  return {
    stage: filters.stage as DealStage,
    error: null,
    total,
    rows: rows.slice(0, STAGE_DEALS_SHOWN).map((d) => ({
      id: d.id,
      title: d.title,
      amountCents: d.amountCents,
      currency: d.currency,
      submittedOn: d.submittedAt.toISOString(),
    })),
  };
}

export function tierHistorySection(db: DB, partnerId: number, currency: string) {
  return partnerTierHistory(db, partnerId).map((h) => ({
    id: h.id,
    period: h.period,
    status: h.status,
    direction: h.direction,
    fromTier: h.fromTier,
    toTier: h.toTier,
    resultTier: h.resultTier,
    note: h.note,
    decidedOn: h.decidedAt?.toISOString() ?? null,
    figures: snapshotFigures(h.metrics, currency),
  }));
}

export function deliveriesSection(db: DB, partnerId: number) {
  return listPartnerDeliveries(db, partnerId, 6).map((d) => ({
    id: d.id,
    period: d.period,
    status: d.status,
    attempts: d.attempts,
    error: d.error,
    sentOn: d.sentAt?.toISOString() ?? null,
  }));
}

/** Where the partner stands on the ecosystem page: in the head, in the long tail (with its flags), or not ranked. */
export function longTailSection(db: DB, partnerId: number, asOf = new Date()) {
  const placed = partnerPlacement(db, partnerId, asOf);
  if (!placed) return { place: "unranked" as const, rank: null, flags: [] };
  return {
    place: placed.partner.inHead ? ("head" as const) : ("tail" as const),
    rank: placed.partner.rank,
    flags: placed.flags.map((f) => ({ flag: f.flag, label: FLAG_LABEL[f.flag], evidence: describeEvidence(f) })),
  };
}
