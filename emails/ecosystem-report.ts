// The internal monthly ecosystem report email, to the program admins and partner managers:
// the month's program figures and the 12-month concentration, head/tail and long-tail counts
// as a table, concentration alerts, partner-involved vs direct metrics with their samples, the
// first flagged long-tail partners with the numbers behind each flag (HTML and text), the
// team's queue and a link to the report; the PDF is attached. Renders an EcosystemReport and
// computes no figure.
import { formatDate, formatPercent } from "../app/domain/format";
import type { EcosystemReport, ReportFigure } from "../app/reports/contract";
import { escapeHtml, renderEmail, singleLine } from "./layout";
import { marker, spliceBlocks } from "./monthly-report";

const FONT = "font-family:-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;";

/** Rows of the figures table; a label starting with two spaces is a part of the row above. */
function figuresBlock(rows: [string, string][]) {
  const cell = `padding:7px 6px;border-bottom:1px solid #dfe3ec;${FONT}font-size:14px;line-height:20px;color:#1b2030;`;
  const html = `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 20px;border-collapse:collapse;">
${rows
  .map(
    ([label, value]) => `<tr>
  <td style="${cell}${label.startsWith("  ") ? "padding-left:28px;color:#5b6378;" : ""}">${escapeHtml(label.trim())}</td>
  <td style="${cell}text-align:right;font-weight:700;">${escapeHtml(value)}</td>
</tr>`,
  )
  .join("\n")}
</table>`;
  const width = Math.max(...rows.map(([label]) => label.length));
  const text = rows.map(([label, value]) => `${`${label}:`.padEnd(width + 2)}${value}`).join("\n");
  return { html, text };
}

/** Partner-involved vs direct: metric, the two figures with their samples, low samples marked. */
function programBlock(report: EcosystemReport) {
  const head = `padding:6px 6px;border-bottom:1px solid #dfe3ec;${FONT}font-size:12px;line-height:16px;color:#5b6378;text-align:left;font-weight:600;`;
  const cell = `padding:7px 6px;border-bottom:1px solid #dfe3ec;${FONT}font-size:14px;line-height:20px;color:#1b2030;vertical-align:top;`;
  const figure = (f: ReportFigure) =>
    `<strong>${escapeHtml(f.text)}</strong><br><span style="font-size:12px;color:#5b6378;">${escapeHtml(f.sampleText)}</span>${
      f.lowSample ? ` <span style="font-size:11px;font-weight:700;color:#8a5a00;background-color:#fff3d6;padding:1px 5px;border-radius:4px;">LOW SAMPLE</span>` : ""
    }`;
  const html = `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 20px;border-collapse:collapse;">
<tr><th style="${head}">Metric</th><th style="${head}">Partner-involved</th><th style="${head}">Direct</th></tr>
${report.program.metrics
  .map((m) => `<tr><td style="${cell}">${escapeHtml(m.label)}</td><td style="${cell}">${figure(m.involved)}</td><td style="${cell}">${figure(m.direct)}</td></tr>`)
  .join("\n")}
</table>`;
  const plain = (f: ReportFigure) => `${f.text} (${f.sampleText}${f.lowSample ? ", LOW SAMPLE" : ""})`;
  const text = report.program.metrics
    .map((m) => `${m.label}\n  partner-involved: ${plain(m.involved)}\n  direct:           ${plain(m.direct)}`)
    .join("\n");
  return { html, text };
}

/** The first flagged long-tail partners with the numbers behind each flag. */
function flaggedBlock(report: EcosystemReport, limit: number) {
  const rows = report.longTail.top.slice(0, limit);
  const cell = `padding:7px 6px;border-bottom:1px solid #dfe3ec;${FONT}font-size:13px;line-height:19px;color:#1b2030;vertical-align:top;`;
  const html = rows.length
    ? `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 20px;border-collapse:collapse;">
${rows
  .map(
    (r) => `<tr><td style="${cell}"><strong>${escapeHtml(r.name)}</strong><br><span style="font-size:12px;color:#5b6378;">${escapeHtml(
      `${r.kindLabel} · ${r.region} · ${r.revenueText}`,
    )}</span></td><td style="${cell}">${r.flags.map((f) => `<strong>${escapeHtml(f.label)}</strong>: ${escapeHtml(f.text)}`).join("<br>")}</td></tr>`,
  )
  .join("\n")}
</table>`
    : `<p style="margin:0 0 16px;${FONT}font-size:14px;line-height:20px;color:#5b6378;">No long-tail partner carries a flag.</p>`;
  const text = rows.length
    ? rows.map((r) => `- ${r.name} (${r.kindLabel}, ${r.region}, ${r.revenueText})\n${r.flags.map((f) => `    ${f.label}: ${f.text}`).join("\n")}`).join("\n")
    : "No long-tail partner carries a flag.";
  return { html, text };
}

const share = (x: number | null) => (x === null ? "—" : formatPercent(x));
/** Flagged partners the email lists; the PDF has more. */
const EMAIL_FLAGGED = 5;

export function ecosystemReportEmail(report: EcosystemReport, options: { /** The portal's base URL (APP_URL). */ portalUrl: string }) {
  const url = `${options.portalUrl.replace(/\/$/, "")}/internal/reports/ecosystem/${report.period}.pdf`;
  const c = report.concentration;
  const r = report.registrations;
  const { head, tail } = report.headTail;
  const lt = report.longTail;
  const window = `${formatDate(report.analyticsWindow.from)} – ${formatDate(report.analyticsWindow.lastDay)}`;
  const rows: [string, string][] = [
    ["Active partners", String(report.partners.active)],
    ["New partners", String(report.partners.joined)],
    ["Registrations submitted", `${r.submitted} (${report.previousPeriodShortLabel}: ${r.previous.submitted})`],
    ["Registrations approved", `${r.approved} (${report.previousPeriodShortLabel}: ${r.previous.approved})`],
    ["Registrations rejected", `${r.rejected} (${report.previousPeriodShortLabel}: ${r.previous.rejected})`],
    ["Won revenue", `${report.revenue.totalText} (${report.revenue.deals} deals)`],
    ["  partner-sourced", `${report.revenue.sourced.text} (${share(report.revenue.sourced.share)})`],
    ["  partner-influenced", `${report.revenue.influenced.text} (${share(report.revenue.influenced.share)})`],
    ["  direct", `${report.revenue.direct.text} (${share(report.revenue.direct.share)})`],
    ["Concentration (HHI, 12 months)", c.hhi === null ? "no revenue" : `${c.text.hhi}, ${c.bandLabel}`],
    ["  effective partners", c.text.effectivePartners],
    ["  top-20% share", `${c.text.top20Share} (${c.top20Count} partners)`],
    ["  N80", c.n80 === null ? "—" : `${c.text.n80} of ${c.n}`],
    ["  Gini", c.text.gini],
    ["Largest partner's share", `${c.text.largestShare}${c.largestShareAlert ? " (above 25%)" : ""}`],
    ["Head (N80)", `${head.partners} partners, ${head.text} (${share(head.share)})`],
    ["Long tail", `${tail.partners} partners, ${tail.text} (${share(tail.share)})`],
    ["Flagged in the tail", `${lt.flagged}: ${lt.flagCounts.map((f) => `${f.label.toLowerCase()} ${f.count}`).join(", ")}`],
    ["Pending tier reviews", String(report.queue.pendingTierReviews)],
    ["Pending partner applications", String(report.queue.pendingApplications)],
  ];
  const FIGURES = marker("figures");
  const PROGRAM = marker("program");
  const FLAGGED = marker("flagged");
  const top = report.topPartners.rows[0];
  const split = report.program.revenueSplit;
  const rendered = renderEmail({
    preheader: `${report.periodLabel}: ${report.revenue.totalText} won, ${r.submitted} registrations, HHI ${c.text.hhi}, ${report.queue.pendingTierReviews} tier reviews waiting.`,
    heading: `Ecosystem report: ${report.periodLabel}`,
    paragraphs: [
      `The ${report.programName} in ${report.periodLabel}, compared with ${report.previousPeriodLabel} where it says so. Credit is under the ${report.modelLabel} model; the 12-month figures cover ${window}, as on the Ecosystem health page on ${formatDate(report.asOf)}.`,
      ...report.alerts.map((a) => `Alert: ${a.text}`),
      FIGURES,
      top
        ? `The top partner over the last 12 months is ${top.name} with ${top.text} (${share(top.share)} of partner-credited revenue). The PDF lists the top 10 and the concentration at each of the last 12 month-ends.`
        : "No partner was credited with revenue over the last 12 months.",
      `Partner-involved vs direct, deals closed ${window}; figures over fewer than ${report.program.lowSampleBelow} deals or customers are marked low sample:`,
      PROGRAM,
      `Won revenue by source over the 12 months: ${split.parts.map((p) => `${p.label.toLowerCase()} ${p.text} (${p.shareText})`).join(", ")}.`,
      lt.flagged > 0
        ? `Flagged long-tail partners${lt.flagged > EMAIL_FLAGGED ? `, the first ${EMAIL_FLAGGED} of ${lt.flagged}` : ""}:`
        : "Long-tail flags:",
      FLAGGED,
      "The PDF with the full report is attached.",
    ],
    action: { label: "Open the PDF in the portal", url },
    footer: "You are receiving this because you are a program admin or partner manager. This report is internal: do not forward it to partners.",
  });
  const { html, text } = spliceBlocks(rendered, {
    [FIGURES]: figuresBlock(rows),
    [PROGRAM]: programBlock(report),
    [FLAGGED]: flaggedBlock(report, EMAIL_FLAGGED),
  });
  return { subject: singleLine(`Ecosystem report — ${report.periodLabel}`), html, text };
}
