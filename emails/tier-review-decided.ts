// To a partner's admins when the partner team decides a tier change (approves, rejects or
// overrides a proposal, or sets the tier directly): the outcome, the reviewer's reason and the
// figures it was judged on.
import type { ThresholdLine } from "./tier-downgrade-warning";
import { renderEmail, singleLine } from "./layout";

export function tierReviewDecidedEmail(input: {
  partnerName: string;
  status: "approved" | "rejected" | "overridden";
  direction: "upgrade" | "downgrade";
  /** The tier before the decision. */
  fromTier: string;
  /** The tier the evaluation proposed. */
  proposedTier: string;
  /** The partner's tier after the decision. */
  resultTier: string;
  note: string | null;
  /** The figures of the snapshot, e.g. "Credited revenue · trailing 12 months (Sourced model): $62,000". */
  figures: string[];
  /** The thresholds of the resulting tier's next rung, when there is one. */
  nextTier: { name: string; thresholds: ThresholdLine[] } | null;
  periodLabel: string;
  url: string;
}) {
  const changed = input.resultTier !== input.fromTier;
  const heading = changed ? `Your tier is now ${input.resultTier}` : `Your tier stays ${input.fromTier}`;
  const outcome =
    input.status === "approved"
      ? `The partner team approved the proposed ${input.direction} of ${input.partnerName} from ${input.fromTier} to ${input.resultTier}.`
      : input.status === "rejected"
      ? `The partner team reviewed the proposed ${input.direction} of ${input.partnerName} from ${input.fromTier} to ${input.proposedTier} and decided against it: you stay ${input.fromTier}.`
      : `The partner team set ${input.partnerName}'s tier to ${input.resultTier} (it was ${input.fromTier}).`;
  const next = input.nextTier
    ? [
        `What ${input.nextTier.name} needs: ` +
          input.nextTier.thresholds.map((t) => `${t.label.toLowerCase()} ${t.need} (you have ${t.have})`).join("; ") +
          ".",
      ]
    : [`${input.resultTier} is the program's top tier.`];
  const { html, text } = renderEmail({
    preheader: heading,
    heading,
    paragraphs: [
      outcome,
      ...(input.note ? [`Their reason: ${input.note}`] : []),
      `The figures behind the review (evaluation of ${input.periodLabel}):`,
      ...input.figures,
      ...next,
    ],
    action: { label: "See your tier", url: input.url },
    footer: "You are receiving this because you are a partner admin of this partner.",
  });
  return { subject: singleLine(`${heading} — ${input.partnerName}`), html, text };
}
