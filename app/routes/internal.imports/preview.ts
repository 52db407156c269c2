// What the imports action answers, step by step (upload form again, preview, done), and the
// preview a person checks before confirming: counts over every row, problem rows shown first.
import type { SubmissionResult } from "@conform-to/react";
import type { ImportPreview, MrrPreviewRow, OutcomePreviewRow } from "../../domain/imports.server";
import { PREVIEW_ROWS, type Kind } from "./schemas";

export type Summary = { label: string; value: number }[];
export type PreviewData = {
  step: "preview";
  kind: Kind;
  fileName: string;
  csv: string;
  valid: boolean;
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
      { label: "To mark won", value: o.filter((r) => r.stage === "won" && !r.unchanged).length },
      { label: "To mark lost", value: o.filter((r) => r.stage === "lost" && !r.unchanged).length },
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
    fileErrors: preview.errors,
    summary,
    total: rows.length,
    outcomeRows: kind === "outcomes" ? (shown as OutcomePreviewRow[]) : [],
    mrrRows: kind === "mrr" ? (shown as MrrPreviewRow[]) : [],
    message,
    result: null,
  };
}
