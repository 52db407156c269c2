// To each active partner's admins and report recipients when the program switches its
// attribution model: every partner's credited revenue, tier progress and reports are computed
// under the new model from now on, so they hear what changed and where to see their figures.
import { renderEmail, singleLine } from "./layout";

export function creditModelChangedEmail(input: {
  programName: string;
  partnerName: string;
  /** "Sourced": the model's label. */
  fromModel: string;
  toModel: string;
  /** One sentence on how the new model credits a deal. */
  toModelDescription: string;
  url: string;
}) {
  const { html, text } = renderEmail({
    preheader: `${input.programName} now credits revenue with the ${input.toModel} model (was ${input.fromModel}).`,
    heading: "How your revenue is credited has changed",
    paragraphs: [
      `${input.programName} switched its attribution model from ${input.fromModel} to ${input.toModel}. ${input.toModelDescription}`,
      `From now on ${input.partnerName}'s credited revenue, its progress towards the next tier and the monthly reports are computed under ${input.toModel}. Your deals and your tier have not changed; a tier changes only at a month-end evaluation decided by the partner team, and you are told when it does.`,
      "See your figures under the new model on your Attribution page. Talk to your partner manager if something looks wrong.",
    ],
    action: { label: "See your figures", url: input.url },
    footer: "You are receiving this because you are a partner admin or receive this partner's reports.",
  });
  return {
    subject: singleLine(`${input.programName}: revenue is now credited with the ${input.toModel} model`),
    html,
    text,
  };
}
