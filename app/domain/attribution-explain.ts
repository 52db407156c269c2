// Attribution in words, from one partner's point of view: why a won deal gives it no credit
// under a model, and why its total under another model differs from the program's — counted
// from the deals themselves, never a canned "models differ". Pure: the deals come in as
// "you" / "another partner" facts, so other partners are never named.
import type { AttributionModel, DealInvolvement } from "../../db/schema";
import { MODEL_LABEL, MODELS } from "./attribution";
import { formatMoney } from "./format";

export type Registrant = "you" | "another_partner" | "nobody";

/** One won deal as the partner sees it. */
export type DealView = {
  amountCents: number;
  registrant: Registrant;
  /** Who logged each touch, in credit order (by date, ties by id). */
  touchOrder: readonly ("you" | "other")[];
  /** This partner's credit under every model. */
  credit: Record<AttributionModel, number>;
};

const TOUCH_RULE: Record<Exclude<AttributionModel, "sourced">, string> = {
  first: "only the first touch earns credit",
  last: "only the last touch earns credit",
  linear: "every touch earns the same share",
  time_decay: "touches close to the close earn the most",
  position: "the first and last touches earn the most",
};

/**
 * Why `deal` gives this partner nothing under `model`, in one sentence; null when it does give
 * credit.
 */
export function zeroCreditReason(model: AttributionModel, deal: DealView): string | null {
  if (deal.credit[model] > 0) return null;
  const label = MODEL_LABEL[model];
  if (deal.amountCents === 0) return "It was won at 0, so there is nothing to credit.";
  if (model === "sourced") {
    return deal.registrant === "nobody"
      ? "You touched it but no partner registered it (the vendor's own deal): under Sourced only a registering partner is credited."
      : "You touched it but another partner registered it: under Sourced only the registering partner is credited.";
  }
  const own = deal.touchOrder.filter((t) => t === "you").length;
  if (deal.touchOrder.length === 0) {
    return `You registered it but nobody logged a touch on it: under ${label} only touches earn credit, registering does not.`;
  }
  if (own === 0) {
    return `You registered it but logged no touch on it, while other partners did: under ${label} only touches earn credit.`;
  }
  if (model === "first") return "Another partner's touch came before your first one: under First touch only the first touch earns credit.";
  if (model === "last") return "Another partner's touch came after your last one: under Last touch only the last touch earns credit.";
  if (model === "time_decay") {
    return "Your touches came so long before the close that their weight rounds to less than a cent under Time decay.";
  }
  return `Your share of its ${deal.touchOrder.length} touches rounds to less than a cent under ${label}.`;
}

type Category = DealInvolvement;
/** Parts of equal size are said in this order, so a sentence never depends on deal order. */
const CATEGORY_ORDER: readonly Category[] = ["influenced", "registered_shared", "registered_untouched", "registered_own"];

/**
 * How the partner is involved in a deal, the groups of compareModels: stored per partner and
 * deal in partner_deal_credits (rollups.server.ts computes it with this function).
 */
export function involvementOf(deal: Pick<DealView, "registrant" | "touchOrder">): Category {
  if (deal.registrant !== "you") return "influenced";
  if (deal.touchOrder.length === 0) return "registered_untouched";
  return deal.touchOrder.some((t) => t === "other") ? "registered_shared" : "registered_own";
}

const deals = (n: number) => (n === 1 ? "deal" : "deals");
const verb = (n: number, one: string, many: string) => (n === 1 ? one : many);

/** What a group of deals does under `model` compared with `program`, for a part of the sentence. */
function partText(category: Category, more: boolean, n: number, model: AttributionModel, program: AttributionModel): string {
  const label = MODEL_LABEL[model];
  const programLabel = MODEL_LABEL[program];
  if (program === "sourced" || model === "sourced") {
    // Sourced against a touch model: registering versus touching.
    const touchModel = model === "sourced" ? program : model;
    const touchLabel = MODEL_LABEL[touchModel];
    switch (category) {
      case "influenced":
        return more
          ? `${n} won ${deals(n)} you influenced but did not register ${verb(n, "counts", "count")} under ${touchLabel}, which credits touches`
          : `${n} won ${deals(n)} you influenced but did not register ${verb(n, "gives", "give")} nothing under Sourced`;
      case "registered_untouched":
        return more
          ? `${n} ${deals(n)} you registered without any logged touch ${verb(n, "credits", "credit")} you in full under Sourced`
          : `${n} ${deals(n)} you registered without any logged touch ${verb(n, "gives", "give")} nothing under ${touchLabel}, which credits only touches`;
      case "registered_shared":
        return more
          ? `${n} ${deals(n)} you registered ${verb(n, "credits", "credit")} you in full under Sourced instead of being shared with the other partners who touched ${verb(n, "it", "them")}`
          : `${n} ${deals(n)} you registered ${verb(n, "gives", "give")} part of ${verb(n, "its", "their")} credit to partners who touched ${verb(n, "it", "them")} under ${touchLabel}`;
      case "registered_own":
        return `${n} ${deals(n)} only you touched ${verb(n, "rounds", "round")} differently`;
    }
  }
  const rule = TOUCH_RULE[model as Exclude<AttributionModel, "sourced">];
  const whose = category === "influenced" ? "you influenced" : "you registered";
  return more
    ? `on ${n} ${deals(n)} ${whose} your touches earn more, as under ${label} ${rule}`
    : `on ${n} ${deals(n)} ${whose} your touches earn less than under ${programLabel}, as under ${label} ${rule}`;
}

export type ModelDifferencePart = {
  category: Category;
  /** The deals credit this partner more under the other model than under the program's. */
  more: boolean;
  deals: number;
  deltaCents: number;
  text: string;
};

export type ModelComparison = {
  model: AttributionModel;
  cents: number;
  /** cents − the program model's total. */
  deltaCents: number;
  /** The groups of deals the difference comes from; their deltaCents add up to deltaCents. */
  parts: ModelDifferencePart[];
  sentence: string;
};

function signed(cents: number, currency: string) {
  if (cents === 0) return `±${formatMoney(0, currency)}`;
  return `${cents > 0 ? "+" : "−"}${formatMoney(Math.abs(cents), currency)}`;
}

/** A deal as compareModels needs it: the partner's credit per model and how it is involved. */
export type ComparedDeal = Pick<DealView, "credit"> & ({ involvement: Category } | Pick<DealView, "registrant" | "touchOrder">);

/**
 * The deals whose credit under `model` differs from the program model's, summed per
 * involvement and direction: what the comparison sentences are made of. A period's groups can
 * be summed in SQL (partner-attribution.server.ts) or from the deals (modelDifferenceGroups).
 */
export type ModelDifferenceGroup = { model: AttributionModel; category: Category; more: boolean; deals: number; deltaCents: number };

/** compareModels' groups, counted deal by deal. */
export function modelDifferenceGroups(list: readonly ComparedDeal[], program: AttributionModel): ModelDifferenceGroup[] {
  const groups = new Map<string, ModelDifferenceGroup>();
  for (const deal of list) {
    const category = "involvement" in deal ? deal.involvement : involvementOf(deal);
    for (const model of MODELS) {
      const delta = deal.credit[model] - deal.credit[program];
      if (model === program || delta === 0) continue;
      const key = `${model}:${category}:${delta > 0}`;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { model, category, more: delta > 0, deals: 0, deltaCents: 0 }));
      group.deals++;
      group.deltaCents += delta;
    }
  }
  return [...groups.values()];
}

/** The deals' credit summed under every model. */
export function creditTotals(list: readonly Pick<DealView, "credit">[]): Record<AttributionModel, number> {
  return Object.fromEntries(MODELS.map((m) => [m, list.reduce((s, d) => s + d.credit[m], 0)])) as Record<AttributionModel, number>;
}

/**
 * For every model but the program's: its total, the difference and the deals it comes from, in
 * words — from a period's totals per model (creditTotals) and its difference groups. Parts
 * go largest difference first; equal ones by CATEGORY_ORDER, then "more" before "less" — never
 * by deal order, so the same deals always read the same.
 */
export function describeModelDifferences(
  totals: Readonly<Record<AttributionModel, number>>,
  groups: readonly ModelDifferenceGroup[],
  program: AttributionModel,
  currency: string
): ModelComparison[] {
  const programCents = totals[program];
  return MODELS.filter((m) => m !== program).map((model) => {
    const cents = totals[model];
    const parts = groups
      .filter((g) => g.model === model && g.deals > 0)
      .sort(
        (a, b) =>
          Math.abs(b.deltaCents) - Math.abs(a.deltaCents) ||
          CATEGORY_ORDER.indexOf(a.category) - CATEGORY_ORDER.indexOf(b.category) ||
          Number(b.more) - Number(a.more)
      )
      .map(({ category, more, deals, deltaCents }) => ({
        category,
        more,
        deals,
        deltaCents,
        text: `${partText(category, more, deals, model, program)} (${signed(deltaCents, currency)})`,
      }));
    const head = `Under ${MODEL_LABEL[model]} you would be credited ${formatMoney(cents, currency)} (${signed(cents - programCents, currency)})`;
    const sentence = parts.length
      ? `${head}: ${parts.map((p) => p.text).join("; ")}.`
      : `${head}: every deal credits you the same as under ${MODEL_LABEL[program]}.`;
    return { model, cents, deltaCents: cents - programCents, parts, sentence };
  });
}
