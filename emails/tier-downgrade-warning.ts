// To a partner's admins, once, when a month-end evaluation finds the partner below its tier's
// thresholds for the first time: nothing changes yet, but the next evaluation may propose a
// downgrade if the figures stay below.
import { renderEmail, singleLine } from "./layout";

/** One threshold as the partner reads it, already formatted ("$42,000" of "$50,000"). */
export type ThresholdLine = { label: string; have: string; need: string; met: boolean };

export function tierDowngradeWarningEmail(input: {
  partnerName: string;
  /** "May 2025": the month just evaluated. */
  periodLabel: string;
  /** "June 2025": the month whose evaluation can propose the downgrade. */
  nextPeriodLabel: string;
  currentTier: string;
  qualifyingTier: string;
  /** "any": one met threshold keeps the tier; "all": every one must be met. */
  rule: "all" | "any";
  thresholds: ThresholdLine[];
  url: string;
}) {
  const lines = input.thresholds.map(
    (t) => `${t.label}: ${t.have} (${input.currentTier} needs ${t.need})${t.met ? " — met" : " — below"}`
  );
  const ruleText =
    input.rule === "any"
      ? `${input.currentTier} needs any one of these thresholds to be met.`
      : `${input.currentTier} needs every one of these thresholds to be met.`;
  const { html, text } = renderEmail({
    preheader: `Your figures for ${input.periodLabel} are below the ${input.currentTier} thresholds. Nothing has changed yet.`,
    heading: `Your ${input.currentTier} tier is at risk`,
    paragraphs: [
      `At the month-end evaluation for ${input.periodLabel}, ${input.partnerName}'s trailing 12-month figures were below what the ${input.currentTier} tier needs. Your tier has not changed.`,
      ...lines,
      ruleText,
      `If the figures are still below at the evaluation for ${input.nextPeriodLabel}, the partner team will review moving you to ${input.qualifyingTier}. Deals you win before then count.`,
      "Talk to your partner manager if you expect deals to close soon or think these figures are wrong.",
    ],
    action: { label: "See your tier", url: input.url },
    footer: "You are receiving this because you are a partner admin of this partner.",
  });
  return {
    subject: singleLine(`Your ${input.currentTier} tier is at risk (${input.periodLabel} evaluation)`),
    html,
    text,
  };
}
