// What the partner page shows beyond the partner's own facts, all from the functions that own
// each figure (no SQL here): credited revenue and its sourced/influenced split are the
// partner's own attribution page's (trailing 12 months, program model); tier history, report
// deliveries and the long-tail flag are the tier, delivery and ecosystem modules'.
import type { DealStage } from "../../../db/schema";
import type { DB } from "../../db.server";
import { MODEL_DESCRIPTION, MODEL_LABEL } from "../../domain/attribution";
import { parseDealFilters } from "../../domain/deals";
import { ecosystemReport } from "../../domain/ecosystem.server";
import { describeEvidence, FLAG_LABEL } from "../../domain/long-tail";
import { openPipeline, partnerFigures } from "../../domain/figures.server";
import { partnerAttribution } from "../../domain/partner-attribution.server";
import { listPartnerDeals } from "../../domain/partner-deals.server";
import { listPartnerDeliveries } from "../../domain/partners.server";
import { partnerTierHistory } from "../../domain/tier-history.server";
import { snapshotFigures } from "../../domain/tier-snapshot";

/** The partner's credited revenue over the trailing 12 months, exactly as its attribution page has it. */
export function revenueSection(db: DB, partnerId: number, asOf = new Date()) {
  const a = partnerAttribution(db, partnerId, { kind: "ttm", value: null }, asOf);
  // The catalogue's figures (domain/figures.ts), as the partner's dashboard shows them.
  const ttm = partnerFigures(db, partnerId, { from: new Date(a.window.from), to: new Date(a.window.to) }, a.model);
  const open = openPipeline(db, partnerId);
  return {
    winRate: ttm.winRate,
    closedRegistrations: ttm.won + ttm.lost,
    wonRegistrations: ttm.won,
    openRegistrations: open.openRegistrations,
    openPipelineCents: open.openPipeline,
    periodLabel: a.periodLabel,
    window: a.window,
    model: a.model,
    modelLabel: MODEL_LABEL[a.model],
    modelDescription: MODEL_DESCRIPTION[a.model],
    /** The partner's own "Other models" explanation, word for word (it speaks to the partner). */
    comparisons: a.deals.length ? a.comparisons.map((c) => ({ model: c.model, sentence: c.sentence })) : [],
    currency: a.currency,
    creditedCents: a.creditedCents,
    creditedDeals: a.creditedDeals,
    sourcedCents: a.sourcedCents,
    influencedCents: a.influencedCents,
    monthly: a.monthly.map((m) => ({ month: m.month, label: m.label, cents: m.cents, partial: m.partial })),
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
  const { snapshot, longTail } = ecosystemReport(db, asOf);
  const ranked = snapshot.partners.find((p) => p.id === partnerId);
  if (!ranked) return { place: "unranked" as const, rank: null, flags: [] };
  const row = longTail.rows.find((r) => r.partner.id === partnerId);
  return {
    place: ranked.inHead ? ("head" as const) : ("tail" as const),
    rank: ranked.rank,
    flags: (row?.flags ?? []).map((f) => ({ flag: f.flag, label: FLAG_LABEL[f.flag], evidence: describeEvidence(f) })),
  };
}
