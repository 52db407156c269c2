// The pure rules and words of deal registration, shared by the domain modules, the routes and
// the imports: which deals can close, the instant a calendar close date means, how far back a
// won deal makes a customer "existing", the partner's list filters read from a URL, and the
// human labels of the touch enums. No database here; deals.test.ts checks them.
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

export type DealListFilters = {
  stage?: DealStage;
  from?: string;
  to?: string;
  q?: string;
  page?: number;
};

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const isIsoDate = (s: string) => ISO_DATE.test(s) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);

/**
 * The deal-list filters of a URL (?stage=&from=&to=&q=&page=). The URL is typed by anyone:
 * a value that is not valid is dropped rather than answered with an error.
 */
export function dealFiltersFromSearch(params: URLSearchParams): DealListFilters {
  const f: DealListFilters = {};
  const stage = params.get("stage") ?? "";
  if ((DEAL_STAGES as readonly string[]).includes(stage)) f.stage = stage as DealStage;
  const from = params.get("from")?.trim() ?? "";
  if (isIsoDate(from)) f.from = from;
  const to = params.get("to")?.trim() ?? "";
  if (isIsoDate(to)) f.to = to;
  const q = params.get("q")?.trim().slice(0, 100) ?? "";
  if (q) f.q = q;
  const page = Number(params.get("page"));
  if (Number.isInteger(page) && page > 1 && page <= 100_000) f.page = page;
  return f;
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
