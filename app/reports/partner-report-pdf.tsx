// The partner's monthly report as an A4 PDF (@react-pdf/renderer): it lays out a PartnerReport
// and computes no figure of its own.
//
// The layout is fixed: every block has a height known before react-pdf sees it (explicit line
// heights, text measured in the report font by pdf-text.ts and capped with maxLines, table rows
// of one line each), so this module decides the page breaks itself — the summary on page 1,
// then the won deals and the open pipeline, which continue onto as many pages as they need with
// their heading and table header repeated — and writes "Page n of m" as plain text. react-pdf
// then lays every page out once, without its pagination passes (which laid each page out three
// times, twice more for the page numbers): the monthly run renders one of these per partner.
import { Document, Page, Text, View, renderToBuffer } from "@react-pdf/renderer";
import type { Style } from "@react-pdf/types";
import { formatDate, formatMoney } from "../domain/format";
import { moreWonDealsSentence, uncreditedSentence, type PaperSize, type PartnerReport } from "./contract";
import { Footer, pageSize, prepareReportFonts, s } from "./pdf-kit";
import { BODY, bodyHeight, BODY_LINE, CONTENT_WIDTH, emptyHeight, type FixedColumn, type FixedTable, fixedTable, GAP, HEADING, Heading, headingHeight, LH, lines, measure, type Measured, NOTE, noteHeight, pageGeometry, r, ROW_HEIGHT, TableHead, type TableRow, TableRowView, THEAD_HEIGHT } from "./partner-report-pdf-layout";
import { planSummary, Summary } from "./partner-report-pdf-summary";

// ---------------------------------------------------------------------------------------------
// The detail sections: deals won and the open pipeline, continued over as many pages as needed.

type FlowItem =
  | { kind: "heading"; text: Measured; height: number }
  | { kind: "text"; text: Measured; style: Style; height: number }
  | { kind: "thead"; table: FixedTable; height: number }
  | { kind: "row"; row: TableRow; height: number }
  | { kind: "action"; number: number; text: Measured; height: number }
  | { kind: "gap"; height: number };

/**
 * A section after the summary: a heading, an intro, then rows (table rows under a repeated
 * table header, or the numbered actions) or the empty line, then notes.
 */
type FlowSection = { title: string; intro: FlowItem[]; head: FlowItem | null; rows: FlowItem[]; empty: FlowItem; tail: FlowItem[] };

function tableSection(section: Omit<FlowSection, "head" | "rows">, table: FixedTable | null): FlowSection {
  return {
    ...section,
    head: table ? { kind: "thead", table, height: THEAD_HEIGHT } : null,
    rows: table ? table.rows.map((row) => ({ kind: "row", row, height: ROW_HEIGHT })) : [],
  };
}

const headingItem = (title: string): FlowItem => {
  const text = measure(title, CONTENT_WIDTH, HEADING, 2);
  return { kind: "heading", text, height: headingHeight(text) };
};
const noteItem = (text: string): FlowItem => {
  const m = measure(text, CONTENT_WIDTH, NOTE, 3);
  return { kind: "text", text: m, style: r.note, height: noteHeight(m) };
};
const emptyItem = (text: string): FlowItem => {
  const m = measure(text, CONTENT_WIDTH, BODY, 3);
  return { kind: "text", text: m, style: r.empty, height: emptyHeight(m) };
};

function detailSections(report: PartnerReport): FlowSection[] {
  const money = (cents: number) => formatMoney(cents, report.currency);
  const sections: FlowSection[] = [
    {
      title: "Recommended next actions",
      intro: [],
      head: null,
      rows: report.actions.map((a, i) => {
        const text = measure(a.text, CONTENT_WIDTH - 14, BODY, 4);
        return { kind: "action", number: i + 1, text, height: text.lines * BODY_LINE + 4 };
      }),
      empty: emptyItem("Nothing needs your attention: keep registering and closing."),
      tail: [],
    },
  ];

  if (report.hasActivity || report.wonDeals.length > 0 || report.uncreditedWonDeals > 0) {
    const won =
      report.wonDeals.length === 0
        ? null
        : fixedTable(
            [
              { header: "Deal", flex: 5, cell: (d) => d.title },
              { header: "Closed", flex: 2, cell: (d) => formatDate(d.closedOn) },
              { header: "Source", flex: 1.7, cell: (d) => (d.source === "sourced" ? "Sourced" : "Influenced") },
              { header: "Amount", flex: 2, align: "right", cell: (d) => formatMoney(d.amountCents, d.currency) },
              { header: "Your credit", flex: 2, align: "right", cell: (d) => money(d.creditCents), cellStyle: () => r.bold },
            ] satisfies FixedColumn<PartnerReport["wonDeals"][number]>[],
            report.wonDeals,
            { width: CONTENT_WIDTH, key: (d) => d.dealId },
          );
    sections.push(
      tableSection(
        {
          title: `Deals won in ${report.periodLabel} that credit you`,
          intro: [],
          empty: emptyItem(`No won deal credited you in ${report.periodLabel}.`),
          tail: [
            ...(report.moreWonDeals > 0 ? [noteItem(moreWonDealsSentence(report))] : []),
            ...(report.uncreditedWonDeals > 0 ? [noteItem(uncreditedSentence(report))] : []),
          ],
        },
        won,
      ),
    );
  }

  const { pipeline } = report;
  const intro: FlowItem[] = [];
  if (pipeline.count > 0) {
    const text = measure(
      `${pipeline.count} open registration${pipeline.count === 1 ? "" : "s"} worth ${pipeline.totalText}${
        pipeline.expiringSoon > 0 ? `; ${pipeline.expiringSoon} expire${pipeline.expiringSoon === 1 ? "s" : ""} within 14 days (highlighted).` : "."
      }`,
      CONTENT_WIDTH,
      { fontSize: 8 },
      3,
    );
    intro.push({ kind: "text", text, style: r.pipelineSummary, height: text.lines * 8 * LH + 5 });
  }
  const open =
    pipeline.deals.length === 0
      ? null
      : fixedTable(
          [
            { header: "Deal", flex: 5, cell: (d) => d.title },
            { header: "Stage", flex: 1.6, cell: (d) => (d.stage === "approved" ? "Approved" : "Submitted") },
            { header: "Submitted", flex: 2, cell: (d) => formatDate(d.submittedOn) },
            {
              header: "Protection ends",
              flex: 2.4,
              cell: (d) => (d.protectionEndsOn ? `${formatDate(d.protectionEndsOn)}${d.expiresSoon ? " ⚠" : ""}` : "—"),
              cellStyle: (d) => (d.expiresSoon ? r.expiring : undefined),
            },
            { header: "Amount", flex: 2, align: "right", cell: (d) => formatMoney(d.amountCents, d.currency) },
          ] satisfies FixedColumn<PartnerReport["pipeline"]["deals"][number]>[],
          pipeline.deals,
          { width: CONTENT_WIDTH, key: (d) => d.dealId, rowStyle: (d) => (d.expiresSoon ? r.expiringRow : undefined) },
        );
  sections.push(
    tableSection(
      {
        title: `Open pipeline at ${formatDate(new Date(report.window.to).getTime() - 1)}`,
        intro,
        empty: emptyItem("No open registrations. Register your next opportunity to protect it."),
        tail: pipeline.more > 0 ? [noteItem(`…and ${pipeline.more} more; the full list is on the Deals page of the portal.`)] : [],
      },
      open,
    ),
  );
  return sections;
}

/**
 * Places the sections after the summary: a section starts where its heading, intro, table
 * header and first row fit together; rows that do not fit move to the next page under the
 * heading "(continued)" and the table header again.
 */
function paginate(firstPageUsed: number, sections: FlowSection[], paper: PaperSize) {
  const body = bodyHeight(paper);
  const pages: FlowItem[][] = [[]];
  const used: number[] = [firstPageUsed];
  const room = () => body - used[used.length - 1]!;
  const newPage = () => {
    pages.push([]);
    used.push(0);
  };
  const put = (item: FlowItem) => {
    pages[pages.length - 1]!.push(item);
    used[used.length - 1] = used[used.length - 1]! + item.height;
  };
  for (const section of sections) {
    const { head, rows } = section;
    const lead = [headingItem(section.title), ...section.intro, ...(rows.length > 0 ? [...(head ? [head] : []), rows[0]!] : [section.empty])];
    if (lead.reduce((h, i) => h + i.height, 0) > room() && used[used.length - 1]! > 0) newPage();
    lead.forEach(put);
    // The notes under a table stay with its last row rather than open a page on their own.
    const tailHeight = section.tail.reduce((h, i) => h + i.height, 0);
    for (const [i, row] of rows.entries()) {
      if (i === 0) continue;
      const need = row.height + (i === rows.length - 1 ? tailHeight : 0);
      if (need > room()) {
        newPage();
        put(headingItem(`${section.title} (continued)`));
        if (head) put(head);
      }
      put(row);
    }
    for (const item of section.tail) {
      if (item.height > room()) newPage();
      put(item);
    }
    if (GAP <= room()) put({ kind: "gap", height: GAP });
  }
  return { pages, used };
}

function FlowItemView({ item }: { item: FlowItem }) {
  switch (item.kind) {
    case "heading":
      return <Heading text={item.text} />;
    case "text":
      return (
        <Text style={[item.style, lines(item.text.lines)]}>
          {item.text.text}
        </Text>
      );
    case "thead":
      return <TableHead table={item.table} />;
    case "row":
      return <TableRowView row={item.row} />;
    case "action":
      return (
        <View style={r.action}>
          <Text style={r.actionNumber}>{item.number}.</Text>
          <Text style={[r.actionText, lines(item.text.lines)]}>{item.text.text}</Text>
        </View>
      );
    case "gap":
      return <View style={{ height: item.height }} />;
  }
}

/** The report's pages as planned: exported for the tests, which check it against the PDF. */
export function planPartnerReport(report: PartnerReport) {
  const summary = planSummary(report);
  const paper = paperOf(report);
  const { pages, used } = paginate(summary.height, detailSections(report), paper);
  return { paper, summary, pages, used };
}

/** The report's paper (a report stored before the setting existed is A4). */
const paperOf = (report: PartnerReport): PaperSize => (report.paperSize === "Letter" ? "Letter" : "A4");

export function PartnerReportDocument({ report }: { report: PartnerReport }) {
  const plan = planPartnerReport(report);
  const geometry = pageGeometry(plan.paper);
  const footer = `${report.partner.name} · ${report.periodLabel} partner report`;
  return (
    <Document
      title={`${report.periodLabel} partner report — ${report.partner.name}`}
      author={report.programName}
      subject={`${report.partner.name}: monthly partner report for ${report.periodLabel}`}
      creator="Partner Portal"
      producer="Partner Portal"
      language="en"
    >
      {plan.pages.map((items, i) => (
        // A page that does not wrap takes its content's height in react-pdf, whatever its size:
        // the body is given the paper's own body height, so the page is exactly the paper.
        <Page key={i} size={pageSize(plan.paper)} style={[s.page, geometry.padding]} wrap={false}>
          <View style={{ height: geometry.body }}>
            {i === 0 ? <Summary report={report} plan={plan.summary} /> : null}
            {items.map((item, j) => (
              <FlowItemView key={j} item={item} />
            ))}
          </View>
          <Footer left={footer} page={`Page ${i + 1} of ${plan.pages.length}`} inset={geometry.side} />
        </Page>
      ))}
    </Document>
  );
}

/** Loads the fonts (once per process; text is measured in them) and renders the PDF. */
export async function renderPartnerReportPdf(report: PartnerReport): Promise<Buffer> {
  await prepareReportFonts();
  return renderToBuffer(<PartnerReportDocument report={report} />);
}
