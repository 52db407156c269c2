// A partner's monthly report email, to its admins and the colleagues who opted in: the month's
// KPIs against the month before (an HTML table and its plain-text twin), the recommended next
// actions and a link to the report in the portal; with the 'pdf' preference the full report
// is attached. Renders a PartnerReport and computes no figure.
import type { PartnerReport } from "../app/reports/contract";
import { escapeHtml, renderEmail, singleLine } from "./layout";

const FONT = "font-family:-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;";
const TREND = {
  up: { mark: "▲", color: "#1f7a4d" },
  down: { mark: "▼", color: "#b42318" },
  flat: { mark: "■", color: "#5b6378" },
  none: { mark: "", color: "#5b6378" },
} as const;

/**
 * renderEmail only knows paragraphs: a block (a table, a list) goes in as a marker paragraph
 * and replaces it afterwards, in the HTML and in the text, so the frame stays the shared one.
 */
export function spliceBlocks(
  rendered: { html: string; text: string },
  blocks: Record<string, { html: string; text: string }>,
): { html: string; text: string } {
  let { html, text } = rendered;
  for (const [marker, block] of Object.entries(blocks)) {
    const paragraph = new RegExp(`<p[^>]*>${escapeRegExp(marker)}</p>`);
    if (!paragraph.test(html) || !text.includes(marker)) throw new Error(`Email block ${marker} not found`);
    html = html.replace(paragraph, () => block.html);
    text = text.replace(marker, () => block.text);
  }
  return { html, text };
}

function escapeRegExp(value: string) {
  return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Marker paragraphs: invisible separators around a name nobody types into a partner name. */
export const marker = (name: string) => `\u2063${name}\u2063`;

function kpiBlock(report: PartnerReport) {
  const cell = `padding:8px 6px;border-bottom:1px solid #dfe3ec;${FONT}font-size:14px;line-height:20px;color:#1b2030;`;
  const head = `padding:6px 6px;border-bottom:1px solid #dfe3ec;${FONT}font-size:12px;line-height:16px;color:#5b6378;text-align:left;font-weight:600;`;
  const rows = report.kpis
    .map((k) => {
      const t = TREND[k.trend];
      const change = k.trend === "none" ? "—" : `${t.mark} ${k.text.delta}`;
      return `<tr>
  <td style="${cell}">${escapeHtml(k.label)}${k.note ? `<br><span style="font-size:12px;color:#5b6378;">${escapeHtml(k.note)}</span>` : ""}</td>
  <td style="${cell}text-align:right;font-weight:700;white-space:nowrap;">${escapeHtml(k.text.value)}</td>
  <td style="${cell}text-align:right;color:#5b6378;white-space:nowrap;">${escapeHtml(k.text.previous)}</td>
  <td style="${cell}text-align:right;color:${t.color};">${escapeHtml(change)}</td>
</tr>`;
    })
    .join("\n");
  const html = `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 20px;border-collapse:collapse;">
<tr>
  <th style="${head}">${escapeHtml(report.periodLabel)}</th>
  <th style="${head}text-align:right;">This month</th>
  <th style="${head}text-align:right;">${escapeHtml(report.previousPeriodShortLabel)}</th>
  <th style="${head}text-align:right;">Change</th>
</tr>
${rows}
</table>`;
  const width = Math.max(...report.kpis.map((k) => k.label.length));
  const valueWidth = Math.max(...report.kpis.map((k) => k.text.value.length));
  const text = report.kpis
    .map((k) => {
      const change = k.trend === "none" ? "" : `, ${TREND[k.trend].mark} ${k.text.delta}`;
      return `${`${k.label}:`.padEnd(width + 2)}${k.text.value.padStart(valueWidth)}  (${report.previousPeriodShortLabel}: ${k.text.previous}${change})`;
    })
    .join("\n");
  return { html, text };
}

function actionsBlock(report: PartnerReport) {
  const item = `margin:0 0 8px;${FONT}font-size:15px;line-height:22px;color:#1b2030;`;
  const html = `<p style="margin:0 0 8px;${FONT}font-size:16px;line-height:24px;font-weight:700;color:#1b2030;">Recommended next actions</p>
<ol style="margin:0 0 20px;padding-left:22px;">
${report.actions.map((a) => `<li style="${item}">${escapeHtml(a.text)}</li>`).join("\n")}
</ol>`;
  const text = ["Recommended next actions:", ...report.actions.map((a, i) => `${i + 1}. ${a.text}`)].join("\n");
  return { html, text };
}

export function monthlyReportEmail(
  report: PartnerReport,
  options: { format: "pdf" | "email"; /** The portal's base URL (APP_URL). */ portalUrl: string },
) {
  const url = `${options.portalUrl.replace(/\/$/, "")}/reports/${report.period}`;
  const revenue = report.kpis.find((k) => k.key === "creditedRevenue");
  const won = report.kpis.find((k) => k.key === "dealsWon");
  const KPIS = marker("kpis");
  const ACTIONS = marker("actions");
  const paragraphs = [
    report.hasActivity
      ? `Here is how ${report.partner.name} did in ${report.periodLabel}, compared with ${report.previousPeriodLabel}. You are on the ${report.tier.current.name} tier.`
      : `There was no activity for ${report.partner.name} in ${report.periodLabel}: no registrations, decisions, closed deals or touches. You are on the ${report.tier.current.name} tier.`,
    ...(report.hasActivity ? [KPIS] : []),
    ...(report.actions.length ? [ACTIONS] : []),
    options.format === "pdf"
      ? "The PDF with the full report is attached: the 12-month trend, attribution by model, tier progress, the deals you won and your open pipeline."
      : "The full report — the 12-month trend, attribution by model, tier progress, the deals you won and your open pipeline — is in the portal.",
  ];
  const rendered = renderEmail({
    preheader: report.hasActivity
      ? `${report.periodLabel}: ${revenue?.text.value ?? ""} credited, ${won?.text.value ?? "0"} deals won.`
      : `${report.periodLabel}: no activity recorded. See what moves you towards your next tier.`,
    heading: `Your ${report.periodLabel} partner report`,
    paragraphs,
    action: { label: "Open the report in the portal", url },
    footer: `You are receiving this because you are opted in to ${report.partner.name}'s monthly report. Use your mail program's Unsubscribe button to stop it for you alone; a partner admin can change the format and the recipients on the Reports page of the portal.`,
  });
  const blocks: Record<string, { html: string; text: string }> = {};
  if (report.hasActivity) blocks[KPIS] = kpiBlock(report);
  if (report.actions.length) blocks[ACTIONS] = actionsBlock(report);
  const { html, text } = spliceBlocks(rendered, blocks);
  return { subject: singleLine(`Your ${report.periodLabel} partner report — ${report.partner.name}`), html, text };
}
