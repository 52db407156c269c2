// What the imports action answers, step by step (upload form again, preview, done), and the
// preview a person checks before confirming: counts over every row, problem rows shown first.
import type { SubmissionResult } from "@conform-to/react";
import { NOTHING_TO_CHANGE, type ImportPreview, type MrrPreviewRow, type OutcomePreviewRow } from "../../domain/imports.server";
import { PREVIEW_ROWS, type Kind } from "./schemas";

export type Summary = { label: string; value: number }[];
export type PreviewData = {
  step: "preview";
  kind: Kind;
  fileName: string;
  csv: string;
  valid: boolean;
  /** Valid, but every row already matches the database: no confirm button, and this says why. */
  nothingToChange: string | null;
  fileErrors: string[];
  summary: Summary;
  total: number;
  outcomeRows: OutcomePreviewRow[];
  mrrRows: MrrPreviewRow[];
  message: string | null;
  result: SubmissionResult<string[]> | null;
};
export type UploadData = { step: "upload"; message: string | null; result: SubmissionResult<string[]> | null };
export type DoneData = { step: "done"; kind: Kind; message: string; summary: Summary };
export type ActionData = UploadData | PreviewData | DoneData;

/** How a row's change starts when it closes an open deal (imports.server.ts, outcomeChanges). */
const STAGE_CHANGE = "changes stage ";

export function previewData(
  kind: Kind,
  fileName: string,
  csv: string,
  preview: ImportPreview<OutcomePreviewRow> | ImportPreview<MrrPreviewRow>,
  message: string | null = null,
): PreviewData {
  const rows = preview.rows as (OutcomePreviewRow | MrrPreviewRow)[];
  const bad = rows.filter((r) => r.errors.length > 0);
  const shown = [...rows]
    .sort((a, b) => Number(b.errors.length > 0) - Number(a.errors.length > 0) || a.line - b.line)
    .slice(0, PREVIEW_ROWS);
  const summary: Summary = [
    { label: "Rows", value: rows.length },
    { label: "With errors", value: bad.length },
  ];
  if (kind === "outcomes") {
    const o = (preview.rows as OutcomePreviewRow[]).filter((r) => !r.errors.length);
    summary.push(
      { label: "To mark won", value: o.filter((r) => r.stage === "won" && r.change?.startsWith(STAGE_CHANGE)).length },
      { label: "To mark lost", value: o.filter((r) => r.stage === "lost" && r.change?.startsWith(STAGE_CHANGE)).length },
      { label: "To correct", value: o.filter((r) => r.change && !r.change.startsWith(STAGE_CHANGE)).length },
      { label: "Already so", value: o.filter((r) => r.unchanged).length },
    );
  } else {
    const m = (preview.rows as MrrPreviewRow[]).filter((r) => !r.errors.length);
    summary.push(
      { label: "New", value: m.filter((r) => r.currentMrrCents === null).length },
      { label: "Changed", value: m.filter((r) => r.currentMrrCents !== null && r.currentMrrCents !== r.mrrCents).length },
      { label: "Unchanged", value: m.filter((r) => r.currentMrrCents === r.mrrCents).length },
    );
  }
  return {
    step: "preview",
    kind,
    fileName,
    csv,
    valid: preview.valid,
    nothingToChange: preview.nothingToChange ? NOTHING_TO_CHANGE : null,
    fileErrors: preview.errors,
    summary,
    total: rows.length,
    outcomeRows: kind === "outcomes" ? (shown as OutcomePreviewRow[]) : [],
    mrrRows: kind === "mrr" ? (shown as MrrPreviewRow[]) : [],
    message,
    result: null,
  };
}
