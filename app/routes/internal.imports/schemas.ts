// What the imports page accepts: the two kinds of file, the size limits, and the zod schemas of
// the upload (preview) and the confirmation, shared by the form in the browser and the action.
import { z } from "zod";

export const MAX_UPLOAD_BYTES = 2 * 1024 * 1024;
/**
 * The confirmation sends the CSV back as a text field, and browsers send a text field's line
 * breaks as CRLF: a file with LF line ends grows by one byte a line on the way back.
 */
export const MAX_FIELD_BYTES = MAX_UPLOAD_BYTES + MAX_UPLOAD_BYTES / 4;
/** Anything longer cannot be a legitimate upload or confirmation: refused before reading it. */
export const MAX_REQUEST_BYTES = MAX_FIELD_BYTES + 64 * 1024;
/** The preview table shows this many rows (problem rows first); the counts cover them all. */
export const PREVIEW_ROWS = 500;

export const KINDS = ["outcomes", "mrr"] as const;
export type Kind = (typeof KINDS)[number];
export const KIND_LABEL: Record<Kind, string> = {
  outcomes: "Deal outcomes (won / lost)",
  mrr: "Monthly recurring revenue per customer",
};
export const TOO_LARGE = "The file is larger than 2 MB. Split it into smaller files and import them one after the other.";

const kind = z.enum(KINDS, {
  required_error: "Choose what the file contains.",
  invalid_type_error: "Choose what the file contains.",
});
export const previewSchema = z.object({
  intent: z.literal("preview"),
  kind,
  file: z
    .instanceof(File, { message: "Choose a .csv file to upload." })
    .refine((f) => /\.csv$/i.test(f.name), "Choose a .csv file (comma-separated values, e.g. outcomes.csv).")
    .refine((f) => f.size <= MAX_UPLOAD_BYTES, TOO_LARGE),
});
export const confirmSchema = z.object({
  intent: z.literal("confirm"),
  kind,
  csv: z.string({ required_error: "The file to import is missing: upload it again." }),
});
export const importSchema = z.discriminatedUnion("intent", [previewSchema, confirmSchema]);
