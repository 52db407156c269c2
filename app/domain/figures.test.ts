import { describe, expect, it } from "vitest";
import { MODEL_LABEL } from "./attribution";
import { explainFigure, FIGURE_KEYS, FIGURES, figureDefinitions, figureLabel, spanLabel } from "./figures";

describe("the catalogue of figures", () => {
  it("gives every figure one label and one sentence that names the model and currency it depends on", () => {
    const ctx = { model: "linear", currency: "EUR" } as const;
    const labels = FIGURE_KEYS.map((k) => FIGURES[k].label);
    expect(new Set(labels).size).toBe(labels.length);
    for (const key of FIGURE_KEYS) {
      const sentence = explainFigure(key, ctx);
      expect(sentence, key).toMatch(/^[A-Z].*\.$/);
      expect(sentence.split(". ").length, `${key}: one sentence`).toBe(1);
    }
    expect(explainFigure("creditedRevenue", ctx)).toContain(MODEL_LABEL.linear);
    expect(explainFigure("creditedRevenue", ctx)).toContain("EUR");
    expect(explainFigure("dealsWon", ctx)).toContain(MODEL_LABEL.linear);
    expect(explainFigure("openPipeline", ctx)).toContain("EUR");
  });

  it("says whose figures they are: the partner's own, or a partner's to the partner team", () => {
    const partner = explainFigure("winRate", { model: "sourced", currency: "USD" });
    const staff = explainFigure("winRate", { model: "sourced", currency: "USD", reader: "staff" });
    expect(partner).toContain("deals you registered");
    expect(staff).toContain("deals the partner registered");
    expect(staff).not.toMatch(/\byou\b/);
  });

  it("labels each figure with the span it covers, so two spans never look like one number", () => {
    expect(figureLabel("dealsWon", { kind: "ttm" })).toBe("Deals won · trailing 12 months");
    expect(figureLabel("creditedRevenue", { kind: "month", value: "2026-10" })).toBe("Credited revenue · October 2026");
    expect(figureLabel("openRegistrations", { kind: "now" })).toBe("Open registrations · today");
    expect(spanLabel({ kind: "quarter", value: "2026-Q3" })).toMatch(/2026/);
    expect(figureLabel("dealsWon", { kind: "ttm" })).not.toBe(figureLabel("dealsWon", { kind: "month", value: "2026-10" }));
  });

  it("lists the definitions a page shows, in the order asked", () => {
    const list = figureDefinitions({ model: "sourced", currency: "USD" }, ["winRate", "dealsWon"]);
    expect(list.map((d) => d.key)).toEqual(["winRate", "dealsWon"]);
    expect(list[1]!.label).toBe("Deals won");
  });
});
