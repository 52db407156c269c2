// The internal monthly ecosystem report as an A4 PDF: lays out an EcosystemReport (program
// figures, won revenue by source, concentration with its band, trend and alerts, head and long
// tail with the flagged partners, partner-involved vs direct program metrics, top partners, the
// partner team's queue) with the building blocks of the partner report. Computes no figure of
// its own: every number is the model's, formatted there or here only for layout.
import { Document, Line, Page, Rect, Svg, Text, View, renderToBuffer } from "@react-pdf/renderer";
import { formatDate, formatPercent } from "../domain/format";
import { DEAL_SOURCES } from "../domain/attribution";
import { SOURCE_LABEL, type EcosystemReport, type ReportFigure } from "./contract";
import { COLOR, Footer, pageSize, PdfTable, Section, prepareReportFonts, s } from "./pdf-kit";

function Tile({ label, value, note, alert }: { label: string; value: string; note?: string; alert?: boolean }) {
  return (
    <View style={s.tile} wrap={false}>
      <Text style={s.tileLabel}>{label}</Text>
      <Text style={[s.tileValue, alert ? { color: COLOR.danger } : {}]}>{value}</Text>
      {note ? <Text style={[s.tileDelta, { color: alert ? COLOR.danger : COLOR.muted }]}>{note}</Text> : null}
    </View>
  );
}

const SOURCE_COLOR = { sourced: COLOR.brand, influenced: "#7c88e0", direct: "#c7ccda" } as const;
const BAND_COLOR = { unconcentrated: COLOR.ok, moderately_concentrated: COLOR.warn, highly_concentrated: COLOR.danger } as const;
const FLAG_COLOR = { rising: COLOR.ok, efficient: COLOR.brand, ramping: "#6b4fbb", dormant: COLOR.muted } as const;
const WIDTH = 515;

/** A bar of shares in order, left to right. */
function ShareBar({ parts }: { parts: { key: string; share: number | null; color: string }[] }) {
  let x = 0;
  return (
    <Svg width={WIDTH} height={12} viewBox={`0 0 ${WIDTH} 12`}>
      <Rect x={0} y={0} width={WIDTH} height={12} fill={COLOR.track} />
      {parts.map((p) => {
        const w = (p.share ?? 0) * WIDTH;
        const rect = w > 0 ? <Rect key={p.key} x={x} y={0} width={w} height={12} fill={p.color} /> : null;
        x += w;
        return rect;
      })}
    </Svg>
  );
}

/** HHI on a 0–5,000 scale (beyond it at the end) over the three bands of docs/domain.md "Ecosystem health". */
const HHI_SCALE = 5000;
function HhiGauge({ hhi, color }: { hhi: number; color: string }) {
  const at = (v: number) => (Math.min(v, HHI_SCALE) / HHI_SCALE) * WIDTH;
  const x = Math.min(Math.max(at(hhi), 2), WIDTH - 2);
  return (
    <View style={{ marginBottom: 8 }} wrap={false}>
      <Svg width={WIDTH} height={16} viewBox={`0 0 ${WIDTH} 16`}>
        <Rect x={0} y={4} width={at(1000)} height={8} fill={COLOR.okSoft} />
        <Rect x={at(1000)} y={4} width={at(1800) - at(1000)} height={8} fill={COLOR.warnSoft} />
        <Rect x={at(1800)} y={4} width={WIDTH - at(1800)} height={8} fill={COLOR.dangerSoft} />
        <Line x1={x} y1={0} x2={x} y2={16} strokeWidth={2.5} stroke={color} />
      </Svg>
      <View style={{ flexDirection: "row", fontSize: 6.5, color: COLOR.muted, marginTop: 1 }}>
        <Text style={{ width: at(1000) }}>Unconcentrated, below 1,000</Text>
        <Text style={{ width: at(1800) - at(1000) }}>Moderate, 1,000–1,800</Text>
        <Text style={{ flex: 1 }}>Highly concentrated, above 1,800</Text>
        <Text>HHI {hhi > HHI_SCALE ? "above 5,000" : "scale 0–5,000"}</Text>
      </View>
    </View>
  );
}

function Fact({ label, value, note, alert }: { label: string; value: string; note?: string; alert?: boolean }) {
  return (
    <View style={{ width: "33.33%", paddingRight: 10, marginBottom: 9 }} wrap={false}>
      <Text style={{ fontSize: 7.5, color: COLOR.muted }}>{label}</Text>
      <Text style={{ fontSize: 12, fontWeight: "bold", color: alert ? COLOR.danger : COLOR.text }}>{value}</Text>
      {note ? <Text style={{ fontSize: 7, color: alert ? COLOR.danger : COLOR.muted }}>{note}</Text> : null}
    </View>
  );
}

const share = (x: number | null) => (x === null ? "—" : formatPercent(x));
const partnersText = (n: number) => `${n.toLocaleString("en-US")} ${n === 1 ? "partner" : "partners"}`;

/** A program figure: the value, its sample, and the low-sample marker below LOW_SAMPLE. */
function FigureCell({ f, flex }: { f: ReportFigure; flex: number }) {
  return (
    <View style={[s.td, { flex }]}>
      <Text style={{ fontSize: 9.5, fontWeight: "bold" }}>{f.text}</Text>
      <Text style={{ fontSize: 7, color: COLOR.muted, marginTop: 1 }}>
        {f.sampleText}
        {f.lowSample ? <Text style={{ color: COLOR.warn, fontWeight: "bold" }}>{"  ▲ LOW SAMPLE"}</Text> : null}
      </Text>
    </View>
  );
}

function ProgramTable({ report }: { report: EcosystemReport }) {
  const flex = [2.4, 2, 2] as const;
  return (
    <View style={s.table}>
      <View style={s.thead} fixed minPresenceAhead={22}>
        <Text style={[s.th, { flex: flex[0] }]}>Metric</Text>
        <Text style={[s.th, { flex: flex[1] }]}>Partner-involved</Text>
        <Text style={[s.th, { flex: flex[2] }]}>Direct</Text>
      </View>
      {report.program.metrics.map((m) => (
        <View key={m.key} style={s.tr} wrap={false}>
          <Text style={[s.td, { flex: flex[0], fontWeight: "bold" }]}>{m.label}</Text>
          <FigureCell f={m.involved} flex={flex[1]} />
          <FigureCell f={m.direct} flex={flex[2]} />
        </View>
      ))}
    </View>
  );
}

function Alerts({ report }: { report: EcosystemReport }) {
  if (report.alerts.length === 0) {
    return (
      <Text style={[s.note, { marginBottom: 8 }]}>
        No concentration alert: the HHI stayed in its band at the last month-end and no partner brings more than 25%.
      </Text>
    );
  }
  return (
    <View style={[s.panel, { backgroundColor: COLOR.dangerSoft, borderColor: "#f3b8b2", paddingVertical: 7 }]} wrap={false}>
      {report.alerts.map((a) => (
        <Text key={a.kind} style={{ fontSize: 8.5, color: COLOR.danger, marginVertical: 1.5 }}>
          ▲ {a.text}
        </Text>
      ))}
    </View>
  );
}

export function EcosystemReportDocument({ report }: { report: EcosystemReport }) {
  const c = report.concentration;
  const prev = report.previousPeriodShortLabel;
  const win = `${formatDate(report.analyticsWindow.from)} – ${formatDate(report.analyticsWindow.lastDay)}`;
  const { head, tail } = report.headTail;
  const lt = report.longTail;
  const split = report.program.revenueSplit;
  return (
    <Document
      title={`${report.periodLabel} ecosystem report — ${report.programName}`}
      author={report.programName}
      subject={`Internal monthly ecosystem report for ${report.periodLabel}`}
      creator="Partner Portal"
      producer="Partner Portal"
      language="en"
    >
      <Page size={pageSize(report.paperSize)} style={s.page}>
        <View style={s.header}>
          <View style={{ flex: 1, paddingRight: 12 }}>
            <Text style={s.eyebrow}>{report.programName} · Internal · partner team only</Text>
            <Text style={s.title}>Ecosystem report</Text>
            <Text style={s.subtitle}>{report.periodLabel}</Text>
          </View>
          <View style={s.headerRight}>
            <Text style={s.badge}>{report.partners.active} active partners</Text>
            <Text style={s.headerFact}>Credit model: {report.modelLabel}</Text>
            <Text style={s.headerFact}>Last 12 months: {win}</Text>
          </View>
        </View>

        <View style={s.tiles}>
          <Tile label="Active partners" value={String(report.partners.active)} note={`${report.partners.joined} joined this month`} />
          <Tile label="Registrations submitted" value={String(report.registrations.submitted)} note={`${prev}: ${report.registrations.previous.submitted}`} />
          <Tile label="Registrations approved" value={String(report.registrations.approved)} note={`${prev}: ${report.registrations.previous.approved}`} />
          <Tile label="Registrations rejected" value={String(report.registrations.rejected)} note={`${prev}: ${report.registrations.previous.rejected}`} />
          <Tile label="Won revenue" value={report.revenue.totalText} note={`${report.revenue.deals} won deals`} />
        </View>

        {report.partners.joinedNames.length > 0 ? (
          <Text style={{ fontSize: 8, color: COLOR.muted, marginTop: -6, marginBottom: 12 }}>
            New partners: {report.partners.joinedNames.join(", ")}
            {report.partners.joined > report.partners.joinedNames.length ? ` and ${report.partners.joined - report.partners.joinedNames.length} more` : ""}.
          </Text>
        ) : null}

        <Section title={`Won revenue in ${report.periodLabel} by source`}>
          {report.revenue.totalCents > 0 ? (
            <ShareBar parts={DEAL_SOURCES.map((key) => ({ key, share: report.revenue[key].share, color: SOURCE_COLOR[key] }))} />
          ) : null}
          <View style={{ marginTop: 6 }}>
            <PdfTable
              columns={[
                { header: "Source", flex: 3, cell: (r) => SOURCE_LABEL[r.key] },
                { header: "Won deals", flex: 1.5, align: "right", cell: (r) => String(r.deals) },
                { header: "Revenue", flex: 2, align: "right", cell: (r) => r.text },
                { header: "Share", flex: 1.5, align: "right", cell: (r) => share(r.share) },
              ]}
              rows={DEAL_SOURCES.map((key) => ({ key, ...report.revenue[key] }))}
              rowKey={(r) => r.key}
              rowStyle={(r) => ({ borderLeftWidth: 4, borderLeftColor: SOURCE_COLOR[r.key] })}
              empty="No won deals."
            />
          </View>
        </Section>

        <Section title="Revenue concentration">
          <Text style={{ fontSize: 8, color: COLOR.muted, marginBottom: 6 }}>
            Credited revenue ({report.modelLabel}) of the {c.n} active partners over the 12 months {win}: {c.revenueText}. The same
            figures as the Ecosystem health page as of {formatDate(report.asOf)}.
          </Text>
          {c.hhi === null ? (
            <Text style={s.empty}>No revenue was credited to active partners in these 12 months: nothing to measure.</Text>
          ) : (
            <>
              <HhiGauge hhi={c.hhi} color={c.band ? BAND_COLOR[c.band] : COLOR.muted} />
              <View style={{ flexDirection: "row", flexWrap: "wrap" }}>
                <Fact label="HHI (0–10,000)" value={c.text.hhi} note={c.bandLabel ?? undefined} alert={c.band === "highly_concentrated"} />
                <Fact label="Effective number of partners" value={c.text.effectivePartners} note="10,000 / HHI" />
                <Fact label={`Top-20% share (${c.top20Count} partners)`} value={c.text.top20Share} note="the 80/20 check" />
                <Fact label="N80 (the head)" value={c.n80 === null ? "—" : `${c.text.n80} of ${c.n}`} note="fewest partners bringing 80%" />
                <Fact label="Gini coefficient" value={c.text.gini} note="0 equal … 1 one partner" />
                <Fact
                  label="Largest single partner"
                  value={c.text.largestShare}
                  note={`${c.largestPartner ? `${c.largestPartner.name} · ` : ""}${c.largestShareAlert ? "above the 25% alert line" : "alert above 25%"}`}
                  alert={c.largestShareAlert}
                />
              </View>
            </>
          )}
          <Alerts report={report} />
        </Section>

        <Section title="Head and long tail">
          <View style={s.tiles}>
            <Tile label="Head (N80)" value={partnersText(head.partners)} note={`${head.text} · ${share(head.share)} of revenue`} />
            <Tile label="Long tail" value={partnersText(tail.partners)} note={`${tail.text} · ${share(tail.share)} of revenue`} />
            <Tile label="Flagged in the tail" value={partnersText(lt.flagged)} note={lt.flagCounts.map((f) => `${f.label} ${f.count}`).join(" · ")} />
          </View>
          {head.partners + tail.partners > 0 && c.revenueCents > 0 ? (
            <ShareBar
              parts={[
                { key: "head", share: head.share, color: COLOR.brand },
                { key: "tail", share: tail.share, color: COLOR.brandLight },
              ]}
            />
          ) : null}
        </Section>

        <Section title="Concentration at the last 12 month-ends">
          <PdfTable
            columns={[
              { header: "Month-end", flex: 1.6, cell: (r) => formatDate(r.monthEnd) },
              { header: "HHI", flex: 1, align: "right", cell: (r) => r.text.hhi },
              {
                header: "Band",
                flex: 2.4,
                cell: (r) => r.bandLabel ?? "—",
                cellStyle: (r) => (r.band ? { color: BAND_COLOR[r.band] } : undefined),
              },
              { header: "Top-20%", flex: 1.1, align: "right", cell: (r) => r.text.top20Share },
              { header: "N80", flex: 0.9, align: "right", cell: (r) => r.text.n80 },
              { header: "Gini", flex: 0.9, align: "right", cell: (r) => r.text.gini },
              { header: "Largest", flex: 1.1, align: "right", cell: (r) => r.text.largestShare },
            ]}
            rows={c.trend}
            rowKey={(r) => r.month}
            rowStyle={(r) => (r.month === c.trend[c.trend.length - 1]?.month ? { backgroundColor: COLOR.brandSoft } : undefined)}
            empty="No month-ends to show."
          />
        </Section>

        <Section title="Top 10 partners by credited revenue (12 months)">
          <PdfTable
            columns={[
              { header: "#", flex: 0.5, cell: (r) => String(r.rank) },
              { header: "Partner", flex: 5, cell: (r) => r.name },
              { header: "Tier", flex: 1.8, cell: (r) => r.tier },
              { header: "Won deals", flex: 1.5, align: "right", cell: (r) => String(r.deals) },
              { header: "Credited", flex: 2.2, align: "right", cell: (r) => r.text },
              { header: "Share", flex: 1.4, align: "right", cell: (r) => share(r.share) },
            ]}
            rows={report.topPartners.rows}
            rowKey={(r) => r.partnerId}
            rowStyle={(r) => (r.rank <= head.partners ? { borderLeftWidth: 4, borderLeftColor: COLOR.brand } : undefined)}
            empty="No partner was credited with revenue in these 12 months."
          />
          <Text style={s.note}>Won deals: deals the partner registered that closed won in the 12 months. A blue edge marks the head (N80).</Text>
        </Section>

        <Section title="Long-tail flags">
          <Text style={{ fontSize: 8, color: COLOR.muted, marginBottom: 6 }}>
            {lt.flagged} of the {lt.partners} long-tail partners carry a flag:{" "}
            {lt.flagCounts.map((f) => `${f.count} ${f.label.toLowerCase()}`).join(", ")}. Rising: the last 3 months at least 1.5× the 3
            before and above the floor. Efficient: win rate at or above the program median ({lt.baselines.text.medianWinRate}) over at least
            3 closed deals, with fewer closed deals than the median ({lt.baselines.text.medianClosedDeals}). Ramping: joined under 180 days
            ago and has registered. Dormant: no registration or touch in 90 days.
          </Text>
          <PdfTable
            columns={[
              { header: "Partner", flex: 2.6, cell: (r) => r.name },
              { header: "Kind · region", flex: 2, cell: (r) => `${r.kindLabel} · ${r.region}` },
              { header: "Revenue", flex: 1.4, align: "right", cell: (r) => r.revenueText },
              { header: "Flags and the numbers behind them", flex: 6, cell: (r) => r.flags.map((f) => `${f.label}: ${f.text}`).join("\n") },
            ]}
            rows={lt.top}
            rowKey={(r) => r.partnerId}
            rowStyle={(r) => ({ borderLeftWidth: 4, borderLeftColor: FLAG_COLOR[r.flags[0]!.flag] })}
            empty="No long-tail partner carries a flag."
          />
          {lt.more > 0 ? (
            <Text style={s.note}>
              And {lt.more} more flagged partners: the full list, with filters and growth plays, is on the Ecosystem health page.
            </Text>
          ) : null}
        </Section>

        <Section title="Partner-involved vs direct (12 months)">
          <Text style={{ fontSize: 8, color: COLOR.muted, marginBottom: 6 }}>
            Deals closed {formatDate(report.program.window.from)} – {formatDate(report.program.window.lastDay)}. A deal is partner-involved
            when a partner registered or touched it. NRR and logo churn follow the customers that had recurring revenue in{" "}
            {report.program.retentionMonths.then}, compared with {report.program.retentionMonths.now}, by how their first won deal came in.
            Figures over fewer than {report.program.lowSampleBelow} deals or customers are marked low sample.
          </Text>
          <ProgramTable report={report} />
          <View style={{ marginTop: 10 }} wrap={false}>
            <Text style={{ fontSize: 9, fontWeight: "bold", marginBottom: 4 }}>Won revenue by source, 12 months: {split.totalText}</Text>
            {split.totalCents > 0 ? <ShareBar parts={split.parts.map((p) => ({ key: p.source, share: p.share, color: SOURCE_COLOR[p.source] }))} /> : null}
            <View style={{ marginTop: 6 }}>
              <PdfTable
                columns={[
                  { header: "Source", flex: 3, cell: (r) => r.label },
                  {
                    header: "Won deals",
                    flex: 2.4,
                    align: "right",
                    cell: (r) => `${r.wonDeals.text}${r.wonDeals.lowSample ? " (low sample)" : ""}`,
                    cellStyle: (r) => (r.wonDeals.lowSample ? { color: COLOR.warn } : undefined),
                  },
                  { header: "Revenue", flex: 2, align: "right", cell: (r) => r.text },
                  { header: "Share", flex: 1.5, align: "right", cell: (r) => r.shareText },
                ]}
                rows={split.parts}
                rowKey={(r) => r.source}
                rowStyle={(r) => ({ borderLeftWidth: 4, borderLeftColor: SOURCE_COLOR[r.source] })}
                empty="No won deals in these 12 months."
              />
            </View>
          </View>
        </Section>

        {report.costAndReturn ? (
          <Section title="Cost and return (12 months)">
            <Text style={{ fontSize: 8, color: COLOR.muted, marginBottom: 6 }}>
              {formatDate(report.costAndReturn.window.from)} – {formatDate(report.costAndReturn.window.lastDay)}. Partner program spend is
              recorded spend plus MDF claims approved for payment; new customers are counted in the channel of their first won deal.
            </Text>
            <PdfTable
              columns={[
                { header: "Figure", flex: 3, cell: (r) => r.label },
                { header: "Value", flex: 1.6, align: "right", cell: (r) => r.value },
                { header: "Inputs", flex: 5, cell: (r) => r.detail },
              ]}
              rows={report.costAndReturn.rows}
              rowKey={(r) => r.label}
              empty="No cost figures."
            />
            <View style={{ marginTop: 8 }} wrap={false}>
              <Text style={{ fontSize: 9, fontWeight: "bold", marginBottom: 4 }}>MDF return by activity type</Text>
              <PdfTable
                columns={[
                  { header: "Activity type", flex: 2, cell: (r) => r.activity },
                  { header: "MDF paid", flex: 2, align: "right", cell: (r) => r.paid },
                  { header: "Won", flex: 2, align: "right", cell: (r) => r.won },
                  { header: "Pipeline created", flex: 2, align: "right", cell: (r) => r.pipeline },
                  { header: "ROI", flex: 1.2, align: "right", cell: (r) => r.roi },
                ]}
                rows={report.costAndReturn.mdfByActivity}
                rowKey={(r) => r.activity}
                empty="No MDF paid."
              />
            </View>
          </Section>
        ) : null}

        <Section title="Waiting for the partner team">
          <View style={{ flexDirection: "row" }}>
            <Fact label="Pending tier reviews" value={String(report.queue.pendingTierReviews)} />
            <Fact label="Pending partner applications" value={String(report.queue.pendingApplications)} />
          </View>
          <Text style={s.note}>As of {formatDate(report.queue.asOf)}, when this report was generated.</Text>
        </Section>

        <Footer left={`${report.programName} · ${report.periodLabel} ecosystem report · internal`} />
      </Page>
    </Document>
  );
}

export async function renderEcosystemReportPdf(report: EcosystemReport): Promise<Buffer> {
  await prepareReportFonts();
  return renderToBuffer(<EcosystemReportDocument report={report} />);
}
