// The forms of the tier reviews page, one zod schema per intent, shared by the browser (conform)
// and the action: decide one proposal, approve several, run an evaluation, set a tier directly.
import { z } from "zod";

const note = z.string().trim().max(1000, "Shorten the note to 1,000 characters or fewer.").optional();

export const decideSchema = z
  .object({
    intent: z.literal("decide"),
    reviewId: z.coerce.number().int().positive(),
    decision: z.enum(["approve", "reject", "override"], { required_error: "Choose approve, reject or override." }),
    note,
    overrideTierId: z.coerce.number().int().positive().optional(),
    /** The second step of an override down a tier. */
    confirmed: z.literal("yes").optional(),
  })
  .superRefine((v, ctx) => {
    if (v.decision !== "approve" && !v.note) {
      ctx.addIssue({
        code: "custom",
        path: ["note"],
        message:
          v.decision === "reject"
            ? "Write why you reject the proposal: the partner sees this note."
            : "Write why you override the proposal: the partner sees this note.",
      });
    }
    if (v.decision === "override" && !v.overrideTierId) {
      ctx.addIssue({ code: "custom", path: ["overrideTierId"], message: "Choose the tier to set instead." });
    }
  });

export const bulkSchema = z.object({
  intent: z.literal("bulk-approve"),
  reviewId: z
    .array(z.coerce.number().int().positive(), { required_error: "Select at least one proposal to approve." })
    .min(1, "Select at least one proposal to approve."),
});

export const evaluateSchema = z.object({
  intent: z.literal("evaluate"),
  period: z
    .string({ required_error: "Choose the month to evaluate." })
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, "Choose a month."),
});

export const setTierSchema = z.object({
  intent: z.literal("set-tier"),
  partnerSlug: z.string({ required_error: "Enter the partner's slug." }).trim().toLowerCase().max(200),
  tierId: z.coerce
    .number({ required_error: "Choose the tier.", invalid_type_error: "Choose the tier." })
    .int()
    .positive(),
  note: z
    .string({ required_error: "Write why you set the tier: the partner sees this note." })
    .trim()
    .min(3, "Write why you set the tier: the partner sees this note.")
    .max(1000, "Shorten the note to 1,000 characters or fewer."),
  /** The second step of a change down a tier. */
  confirmed: z.literal("yes").optional(),
});

export const SCHEMAS = {
  decide: decideSchema,
  "bulk-approve": bulkSchema,
  evaluate: evaluateSchema,
  "set-tier": setTierSchema,
} as const;
export type Intent = keyof typeof SCHEMAS;
