// The catalogue of figures (docs/domain.md "Figures"): every number a partner or the partner
// team reads about one partner has one definition here — a key, a label, the span it covers
// and one sentence that says what it counts — and one function in figures.server.ts that
// computes it. The dashboard, tier, attribution and report pages, the report PDF and email, the
// partner team's page of a partner, the CSV exports and the CLI's JSON all take their labels
// and sentences from here, so two surfaces can only differ where the label says they count a
// different span.
import type { AttributionModel } from "../../db/schema";
import { MODEL_LABEL } from "./attribution";
import { periodLabel as monthLabel, quarterLabel } from "./periods";

export const FIGURE_KEYS = [
  "creditedRevenue",
  "dealsWon",
  "winRate",
  "registrationsSubmitted",
  "registrationsApproved",
  "openRegistrations",
  "openPipeline",
] as const;
export type FigureKey = (typeof FIGURE_KEYS)[number];

export type FigureUnit = "money" | "count" | "percent";

/** What a figure covers: a calendar month or quarter, the trailing 12 months, or right now. */
export type Span =
  | { kind: "month"; value: string }
  | { kind: "quarter"; value: string }
  | { kind: "ttm" }
  | { kind: "now" };

export type FigureContext = {
  model: AttributionModel;
  currency: string;
  /** Who reads it: the partner itself ("you", the default) or the partner team ("the partner"). */
  reader?: "partner" | "staff";
};

function words(ctx: FigureContext) {
  return ctx.reader === "staff"
    ? { you: "the partner", your: "the partner's", Your: "The partner's" }
    : { you: "you", your: "your", Your: "Your" };
}

export type FigureDefinition = {
  key: FigureKey;
  label: string;
  unit: FigureUnit;
  /** Figures of a period (month, quarter, 12 months) or of the present moment. */
  spans: "period" | "now";
  /** One sentence: what is counted, from the reader's side ("you" = the partner). */
  explain(ctx: FigureContext): string;
};

export const FIGURES: Record<FigureKey, FigureDefinition> = {
  creditedRevenue: {
    key: "creditedRevenue",
    label: "Credited revenue",
    unit: "money",
    spans: "period",
    explain: (ctx) =>
      `${words(ctx).Your} share of the value of the won deals that closed in the period, under the program's ${MODEL_LABEL[ctx.model]} credit model, in ${ctx.currency}.`,
  },
  dealsWon: {
    key: "dealsWon",
    label: "Deals won",
    unit: "count",
    spans: "period",
    explain: (ctx) =>
      `Won deals that closed in the period and credit ${words(ctx).you} under the ${MODEL_LABEL[ctx.model]} model, whether ${words(ctx).you} registered them or helped win them.`,
  },
  winRate: {
    key: "winRate",
    label: "Win rate",
    unit: "percent",
    spans: "period",
    explain: (ctx) => `Of the deals ${words(ctx).you} registered that closed (won or lost) in the period, the share that was won.`,
  },
  registrationsSubmitted: {
    key: "registrationsSubmitted",
    label: "Registrations submitted",
    unit: "count",
    spans: "period",
    explain: (ctx) => `Deals ${words(ctx).you} registered in the period, whatever happened to them since.`,
  },
  registrationsApproved: {
    key: "registrationsApproved",
    label: "Registrations approved",
    unit: "count",
    spans: "period",
    explain: (ctx) => `${words(ctx).Your} registrations the partner team approved in the period, including those won or lost since.`,
  },
  openRegistrations: {
    key: "openRegistrations",
    label: "Open registrations",
    unit: "count",
    spans: "now",
    explain: (ctx) => `${words(ctx).Your} registrations waiting for review, or approved and not yet won, lost or expired.`,
  },
  openPipeline: {
    key: "openPipeline",
    label: "Open pipeline",
    unit: "money",
    spans: "now",
    explain: (ctx) => `The value of ${words(ctx).your} open registrations, in ${ctx.currency}.`,
  },
};

/** "trailing 12 months", "October 2026", "2026 Q3", "today". */
export function spanLabel(span: Span): string {
  switch (span.kind) {
    case "ttm":
      return "trailing 12 months";
    case "month":
      return monthLabel(span.value);
    case "quarter":
      return quarterLabel(span.value);
    case "now":
      return "today";
  }
}

/** The figure's label with its span, e.g. "Deals won · trailing 12 months". */
export function figureLabel(key: FigureKey, span: Span): string {
  return `${FIGURES[key].label} · ${spanLabel(span)}`;
}

/** The sentence that explains a figure, in the program's model and currency. */
export function explainFigure(key: FigureKey, ctx: FigureContext): string {
  return FIGURES[key].explain(ctx);
}

/** Every figure's label and sentence, for a "how these figures are counted" list and the CLI's JSON. */
export function figureDefinitions(ctx: FigureContext, keys: readonly FigureKey[] = FIGURE_KEYS) {
  return keys.map((key) => ({ key, label: FIGURES[key].label, unit: FIGURES[key].unit, definition: FIGURES[key].explain(ctx) }));
}
