// The partner report PDF's fixed layout (see partner-report-pdf.tsx): the page geometry, the
// styles, text measured in the report font, one-line fixed tables, and the small drawing
// pieces (headings, table rows, progress bars) whose heights the page plan relies on.
import { Rect, StyleSheet, Svg, Text, View } from "@react-pdf/renderer";
import type { Style } from "@react-pdf/types";
import type { PaperSize } from "./contract";
import { COLOR, PAPER } from "./pdf-kit";
import { fitLine, lineCount, type TextStyle } from "./pdf-text";

// ---------------------------------------------------------------------------------------------
// Geometry (points). Every page is the program's paper size (PAPER). The content is as wide on
// every paper (A4's width less 40 each side: Letter, wider, gets wider margins), so text is
// measured once; the page's height is the paper's, 36 above the body and 54 below it.

export const CONTENT_WIDTH = PAPER.A4.width - 80;
const PAGE_TOP = 36;
const PAGE_BOTTOM = 54;
/** The height blocks may fill on a page of `paper`, above the footer. */
export const bodyHeight = (paper: PaperSize) => PAPER[paper].height - PAGE_TOP - PAGE_BOTTOM;
/** The page's style on `paper`: its margins, and the footer's inset that matches them. */
export function pageGeometry(paper: PaperSize) {
  const side = (PAPER[paper].width - CONTENT_WIDTH) / 2;
  return { side, body: bodyHeight(paper), padding: { paddingTop: PAGE_TOP, paddingBottom: PAGE_BOTTOM, paddingHorizontal: side } };
}
export const LH = 1.25;
export const GAP = 14; // below every block and section
export const HEADING = { fontSize: 11.5, bold: true } satisfies TextStyle;
const HEADING_LINE = 11.5 * LH;
const HEADING_GAP = 6;
export const NOTE = { fontSize: 7.5 } satisfies TextStyle;
const NOTE_LINE = 7.5 * LH;
export const BODY = { fontSize: 9 } satisfies TextStyle;
export const BODY_LINE = 9 * LH;
const CELL = { fontSize: 8.5 } satisfies TextStyle;
const CELL_PADDING_X = 5;
export const THEAD_HEIGHT = 18;
export const ROW_HEIGHT = 19;
export const COLUMN_WIDTH = (CONTENT_WIDTH + 16) / 2 - 16;
export const HEADER_RIGHT_WIDTH = 190;
const EMPTY_PADDING = 12;

export const r = StyleSheet.create({
  header: { flexDirection: "row", justifyContent: "space-between", alignItems: "flex-end", borderBottomWidth: 2, borderBottomColor: COLOR.brand, paddingBottom: 10, marginBottom: GAP },
  headerLeft: { flex: 1, paddingRight: 12 },
  headerRight: { width: HEADER_RIGHT_WIDTH, alignItems: "flex-end" },
  eyebrow: { fontSize: 8, lineHeight: LH, color: COLOR.muted, textTransform: "uppercase", letterSpacing: 0.8, marginBottom: 3 },
  title: { fontSize: 20, lineHeight: 1.2, fontWeight: "bold", color: COLOR.text },
  subtitle: { fontSize: 11, lineHeight: LH, color: COLOR.muted, marginTop: 2 },
  badge: { fontSize: 9, lineHeight: LH, fontWeight: "bold", color: COLOR.brand, backgroundColor: COLOR.brandSoft, borderRadius: 9, paddingVertical: 3, paddingHorizontal: 9 },
  headerFact: { fontSize: 8, lineHeight: LH, color: COLOR.muted, marginTop: 4, textAlign: "right" },
  tiles: { flexDirection: "row", marginBottom: GAP, marginHorizontal: -3 },
  tile: { flex: 1, marginHorizontal: 3, borderWidth: 1, borderColor: COLOR.border, borderRadius: 6, padding: 7, backgroundColor: "#ffffff" },
  tileLabel: { fontSize: 7.5, lineHeight: LH, color: COLOR.muted, marginBottom: 3, minHeight: 18 },
  tileValue: { fontSize: 14, lineHeight: 1.2, fontWeight: "bold" },
  tileDelta: { fontSize: 7.5, lineHeight: LH, marginTop: 3 },
  tileNote: { fontSize: 6.5, lineHeight: LH, color: COLOR.muted, marginTop: 2 },
  panel: { borderWidth: 1, borderColor: COLOR.border, borderRadius: 6, padding: 10, backgroundColor: COLOR.surface, marginBottom: GAP },
  noActivityTitle: { fontSize: 12, lineHeight: LH, fontWeight: "bold", marginBottom: 4 },
  body: { fontSize: 9, lineHeight: LH },
  block: { marginBottom: GAP },
  h2: { fontSize: 11.5, lineHeight: LH, fontWeight: "bold", color: COLOR.text },
  note: { fontSize: 7.5, lineHeight: LH, color: COLOR.muted, marginTop: 4 },
  empty: { fontSize: 9, lineHeight: LH, color: COLOR.muted, paddingVertical: EMPTY_PADDING / 2 },
  columns: { flexDirection: "row", marginHorizontal: -8, marginBottom: GAP },
  column: { width: COLUMN_WIDTH, marginHorizontal: 8 },
  bold: { fontWeight: "bold" },
  threshold: { marginBottom: 7 },
  thresholdHead: { flexDirection: "row", justifyContent: "space-between", marginBottom: 2 },
  thresholdLabel: { fontSize: 8, lineHeight: LH },
  thresholdValue: { fontSize: 8, lineHeight: LH, fontWeight: "bold" },
  thresholdMet: { fontSize: 7, lineHeight: LH, color: COLOR.ok, marginTop: 2 },
  thresholdOpen: { fontSize: 7, lineHeight: LH, color: COLOR.muted, marginTop: 2 },
  tierLine: { fontSize: 9, lineHeight: LH, marginBottom: 6 },
  tierTop: { fontSize: 8, lineHeight: LH, color: COLOR.muted },
  action: { flexDirection: "row", marginBottom: 4 },
  actionNumber: { width: 14, fontSize: 9, lineHeight: LH, color: COLOR.brand, fontWeight: "bold" },
  actionText: { flex: 1, fontSize: 9, lineHeight: LH },
  pipelineSummary: { fontSize: 8, lineHeight: LH, color: COLOR.muted, marginBottom: 5 },
  thead: { flexDirection: "row", height: THEAD_HEIGHT, backgroundColor: COLOR.surface, borderTopWidth: 1, borderTopColor: COLOR.border, borderBottomWidth: 1, borderBottomColor: COLOR.border },
  th: { fontSize: 7, lineHeight: LH, fontWeight: "bold", color: COLOR.muted, textTransform: "uppercase", letterSpacing: 0.4, paddingVertical: 3.5, paddingHorizontal: CELL_PADDING_X },
  tr: { flexDirection: "row", height: ROW_HEIGHT, borderBottomWidth: 1, borderBottomColor: COLOR.border },
  td: { fontSize: 8.5, lineHeight: 1.2, paddingVertical: 3.5, paddingHorizontal: CELL_PADDING_X },
  expiring: { color: COLOR.warn, fontWeight: "bold" },
  expiringRow: { backgroundColor: COLOR.warnSoft },
});

const TH = { fontSize: 7, bold: true, letterSpacing: 0.4, upperCase: true } satisfies TextStyle;

// ---------------------------------------------------------------------------------------------
// Fixed tables: one line per row, cells cut to their column with "…".

export type FixedColumn<T> = {
  header: string;
  /** Share of the table width. */
  flex: number;
  align?: "left" | "right";
  cell: (row: T) => string;
  cellStyle?: (row: T) => Style | undefined;
};

export type TableRow = { key: string | number; cells: { text: string; style: Style[] }[]; style: Style | Style[] };
export type FixedTable = { head: { text: string; style: Style[] }[]; rows: TableRow[] };

const styleCache = new Map<string, { th: Style[]; td: Style[] }>();
function cellStyles(flex: number, align: "left" | "right" = "left") {
  const key = `${flex}|${align}`;
  let styles = styleCache.get(key);
  if (!styles) {
    const shape: Style = { flex, textAlign: align };
    styles = { th: [r.th, shape], td: [r.td, shape] };
    styleCache.set(key, styles);
  }
  return styles;
}

export function fixedTable<T>(
  columns: FixedColumn<T>[],
  rows: T[],
  options: { width: number; key: (row: T) => string | number; rowStyle?: (row: T) => Style | undefined },
): FixedTable {
  const total = columns.reduce((n, c) => n + c.flex, 0);
  const widths = columns.map((c) => (options.width * c.flex) / total - 2 * CELL_PADDING_X);
  return {
    head: columns.map((c, i) => ({ text: fitLine(c.header, widths[i]!, TH), style: cellStyles(c.flex, c.align).th })),
    rows: rows.map((row) => {
      const extra = options.rowStyle?.(row);
      return {
        key: options.key(row),
        style: extra ? [r.tr, extra] : r.tr,
        cells: columns.map((c, i) => {
          const base = cellStyles(c.flex, c.align).td;
          const own = c.cellStyle?.(row);
          return {
            text: fitLine(c.cell(row), widths[i]!, { ...CELL, bold: own?.fontWeight === "bold" }),
            style: own ? [...base, own] : base,
          };
        }),
      };
    }),
  };
}

export function TableHead({ table }: { table: FixedTable }) {
  return (
    <View style={r.thead}>
      {table.head.map((h, i) => (
        <Text key={i} style={h.style}>
          {h.text}
        </Text>
      ))}
    </View>
  );
}

export function TableRowView({ row }: { row: TableRow }) {
  return (
    <View style={row.style}>
      {row.cells.map((c, i) => (
        <Text key={i} style={[c.style, lines(1)]}>
          {c.text}
        </Text>
      ))}
    </View>
  );
}

// ---------------------------------------------------------------------------------------------
// Measured text: its line count (capped), and the height it takes.

export type Measured = { text: string; lines: number };

const lineCaps = new Map<number, Style>();
/**
 * The style that caps a text at the `n` lines it was measured to take (react-pdf's maxLines is
 * a style property); should react-pdf ever need more, the cut shows as "…".
 */
export function lines(n: number): Style {
  let style = lineCaps.get(n);
  if (!style) lineCaps.set(n, (style = { maxLines: n, textOverflow: "ellipsis" }));
  return style;
}

export function measure(text: string, width: number, style: TextStyle, maxLines: number): Measured {
  return { text, lines: Math.min(maxLines, lineCount(text, width, style)) };
}

export function Heading({ text }: { text: Measured }) {
  return (
    <View style={{ height: headingHeight(text) }}>
      <Text style={[r.h2, lines(text.lines)]}>
        {text.text}
      </Text>
    </View>
  );
}

export const headingHeight = (text: Measured) => text.lines * HEADING_LINE + HEADING_GAP;
export const noteHeight = (text: Measured) => 4 + text.lines * NOTE_LINE;
export const emptyHeight = (text: Measured) => EMPTY_PADDING + text.lines * BODY_LINE;

export function ProgressBar({ fraction, color = COLOR.brand }: { fraction: number; color?: string }) {
  const width = 100;
  return (
    <Svg width="100%" height={7} viewBox={`0 0 ${width} 7`} preserveAspectRatio="none">
      <Rect x={0} y={0} width={width} height={7} rx={3.5} ry={3.5} fill={COLOR.track} />
      {fraction > 0 ? <Rect x={0} y={0} width={Math.max(3, fraction * width)} height={7} rx={3.5} ry={3.5} fill={color} /> : null}
    </Svg>
  );
}

