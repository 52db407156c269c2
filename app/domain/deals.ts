// The pure rules and words of deal registration, shared by the domain modules, the routes and
// the imports: which deals can close, the instant a calendar close date means, how far back a
// won deal makes a customer "existing", the partner's list filters read from a URL (with what to
// fix when they are wrong), how staff screens name a customer, and the human labels of the touch
// enums. No database here; deals.test.ts checks them.
import { DEAL_STAGES, JOURNEY_STAGES, PILLARS, TOUCH_KINDS, type DealStage } from "../../db/schema";

const DAY = 86_400_000;
/** An approved registration is warned this many days before its protection ends. */
export const EXPIRY_WARNING_DAYS = 14;
/** A customer with a deal won this many months back counts as already registered. */
export const EXISTING_CUSTOMER_MONTHS = 12;

/** Where "existing customer" starts: EXISTING_CUSTOMER_MONTHS average months before `now`. */
export function existingCustomerSince(now: Date): Date {
  return new Date(now.getTime() - EXISTING_CUSTOMER_MONTHS * 30.4375 * DAY);
}

/** What can be marked won or lost: an approved deal, or a direct deal nobody had to approve. */
export function isClosable(deal: { stage: DealStage; partnerId: number | null }) {
  return deal.stage === "approved" || (deal.partnerId === null && deal.stage === "submitted");
}

/**
 * The instant a deal closed on the UTC calendar day `closedOn` ('YYYY-MM-DD'): the end of that
 * day, or now when that is today, so a deal submitted earlier the same day can still close on it.
 */
export function closedAtFromDate(closedOn: string, now = new Date()): Date {
  const endOfDay = new Date(`${closedOn}T23:59:59.999Z`);
  return endOfDay.getTime() > now.getTime() ? now : endOfDay;
}

/**
 * How a partner-team screen names a deal's customer: the shared customer record (worded by the
 * domain's first registrant) and, when it differs, the name this deal's partner typed. Partner
 * screens and emails show only the typed name (docs/domain.md "Roles and tenancy").
 */
export function staffCustomerLabel(record: string, typed: string) {
  return record === typed || !typed ? record : `Customer record: ${record} · typed by partner: ${typed}`;
}

export type DealListFilters = {
  stage?: DealStage;
  from?: string;
  to?: string;
  q?: string;
};

/** A filter of the deal list that a URL got wrong, and what to do about it. */
export type DealFilterErrors = Partial<Record<"stage" | "from" | "to", string>>;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar day 'YYYY-MM-DD' from 1900 on; anything else (0000-00-00, 2026-02-30) is not. */
function isCalendarDay(s: string) {
  const m = ISO_DATE.exec(s);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1900 || month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const quoted = (s: string) => `"${s.length > 20 ? `${s.slice(0, 20)}…` : s}"`;

/**
 * The deal-list filters of a URL (?stage=&from=&to=&q=), as the list and its CSV export read
 * them (the list's place is its keyset cursor, ?after= or ?before=, not a filter). The URL is typed by anyone: an empty value means "no filter", a value that is not
 * valid is left out of `filters` and explained in `errors` (the caller answers 400 with them).
 */
export function parseDealFilters(params: URLSearchParams): { filters: DealListFilters; errors: DealFilterErrors } {
  const filters: DealListFilters = {};
  const errors: DealFilterErrors = {};
  const stage = params.get("stage")?.trim() ?? "";
  if ((DEAL_STAGES as readonly string[]).includes(stage)) filters.stage = stage as DealStage;
  else if (stage) errors.stage = `${quoted(stage)} is not a stage: choose one of ${DEAL_STAGES.join(", ")}.`;
  for (const key of ["from", "to"] as const) {
    const value = params.get(key)?.trim() ?? "";
    if (isCalendarDay(value)) filters[key] = value;
    else if (value) errors[key] = `${quoted(value)} is not a date: use a real day as YYYY-MM-DD, e.g. 2026-03-31.`;
  }
  if (filters.from && filters.to && filters.from > filters.to) {
    errors.to = `The end date ${filters.to} is before the start date ${filters.from}: choose an end on or after the start.`;
    delete filters.to;
  }
  const q = params.get("q")?.trim().slice(0, 100) ?? "";
  if (q) filters.q = q;
  return { filters, errors };
}

/** The messages of parseDealFilters' errors, one per line, for the CSV export's 400. */
export function dealFilterErrorText(errors: DealFilterErrors): string {
  const label = { stage: "Stage", from: "Submitted from", to: "Submitted to" } as const;
  return (Object.keys(errors) as (keyof DealFilterErrors)[]).map((k) => `${label[k]}: ${errors[k]}`).join("\n");
}

export const TOUCH_KIND_LABELS: Record<(typeof TOUCH_KINDS)[number], string> = {
  referral: "Referral",
  co_sell_meeting: "Co-sell meeting",
  technical_validation: "Technical validation",
  implementation: "Implementation",
  co_marketing: "Co-marketing",
  integration: "Integration",
  support: "Support",
};
export const PILLAR_LABELS: Record<(typeof PILLARS)[number], string> = {
  build: "Build",
  market: "Market",
  sell: "Sell",
  serve: "Serve",
};
export const JOURNEY_STAGE_LABELS: Record<(typeof JOURNEY_STAGES)[number], string> = {
  awareness: "Awareness",
  consideration: "Consideration",
  decision: "Decision",
  onboarding: "Onboarding",
  expansion: "Expansion",
};
