// The three places that show the ecosystem's concentration agree on the demo program: the
// /internal/ecosystem page (real HTTP against the built server, as an admin), the analytics CLI
// (`app/cli/analytics.ts --json`, its own OS process on the same database file) and the
// internal monthly ecosystem report PDF (downloaded from the server, read back with pdfjs).
//
// The page has no as-of parameter: it shows the 12 whole months before the current month. So
// the demo is seeded as of today and the report is last month's (the last completed period),
// whose figures are as of the first instant after it: the same 12 months.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_DEFAULTS, DEMO_LOGINS, DEMO_PASSWORD, DEMO_PASSWORD_HASH } from "../../db/seed/demo-accounts";
import { generateProgram } from "../../db/seed/program";
import { todayUtc } from "../../db/seed/time";
import { formatDate, formatPercent } from "../../app/domain/format";
import { addMonths, lastCompletedPeriod, periodEnd, periodLabel, periodStart } from "../../app/domain/periods";
import { buildEcosystemReport } from "../../app/reports/ecosystem-report.server";
import { Client, startTestServer, type TestServer } from "../support/server";
import { pdfText } from "../support/pdf";

const run = promisify(execFile);

let server: TestServer;
let admin: Client;
const now = new Date();
const period = lastCompletedPeriod(now);
/** The first instant after the period: the report's as-of, and a date the CLI takes. */
const asOf = periodEnd(period);
const asOfDay = asOf.toISOString().slice(0, 10);
/** The 12 months ending with the period. */
const windowFrom = new Date(Date.UTC(asOf.getUTCFullYear() - 1, asOf.getUTCMonth(), 1));
const lastDay = new Date(asOf.getTime() - 86_400_000).toISOString().slice(0, 10);

function match(text: string, re: RegExp, what: string): string {
  const m = re.exec(text);
  if (!m) throw new Error(`no ${what} in: ${text.slice(0, 4000)}`);
  return m[1]!;
}

/** Thousands separators out: the page prints 1561, the PDF 1,561. */
const plain = (s: string) => s.replace(/,/g, "");

type Shown = { hhi: string; top20Share: string; n80: string; gini: string };

let page: Shown & { window: string; html: string };
let cli: {
  asOf: string;
  window: { from: string; to: string; lastDay: string };
  hhi: number;
  top20Share: number;
  n80: number;
  gini: number;
  partners: number;
  head: { partners: number; revenueCents: number };
  tail: { partners: number; revenueCents: number };
  alerts: { kind: string }[];
  program: { involved: { winRate: { value: number | null; n: number } }; direct: { winRate: { value: number | null; n: number } } };
};
let pdf: Shown & { text: string };

beforeAll(async () => {
  server = await startTestServer();
  // The default demo (seed 1, 60 partners, 6,000 deals), as of today.
  generateProgram(server.db, { ...DEMO_DEFAULTS, asOf: todayUtc(now), passwordHash: DEMO_PASSWORD_HASH });
  admin = new Client(server.url);
  await admin.signIn(DEMO_LOGINS.admin, DEMO_PASSWORD);

  // 1. The page.
  const res = await admin.get("/internal/ecosystem");
  expect(res.status).toBe(200);
  const html = (await res.text()).replace(/<!-- -->/g, "");
  const kpi = (name: string) => match(html, new RegExp(`data-kpi="${name}"[\\s\\S]*?<span class="value">([^<]*)</span>`), `${name} tile`);
  page = {
    html,
    hhi: kpi("hhi"),
    top20Share: kpi("top20"),
    n80: kpi("n80"),
    gini: kpi("gini"),
    window: match(html, /active partners, ([^(]*?) \(12 months to the last month-end\)/, "window"),
  };

  // 2. The CLI, its own process on the same database file.
  const file = server.db.$client.name;
  const { stdout } = await run("npx", ["tsx", "app/cli/analytics.ts", "--json", "--as-of", asOfDay, "--database", file], {
    maxBuffer: 64 * 1024 * 1024,
  });
  cli = JSON.parse(stdout.trim().split("\n").at(-1)!);

  // 3. The report PDF, as the partner team downloads it.
  const pdfRes = await admin.get(`/internal/reports/ecosystem/${period}.pdf`);
  expect(pdfRes.status).toBe(200);
  expect(pdfRes.headers.get("content-type")).toBe("application/pdf");
  const text = await pdfText(new Uint8Array(await pdfRes.arrayBuffer()));
  pdf = {
    text,
    hhi: match(text, /HHI \(0–10,000\) ([\d,]+)/, "HHI"),
    top20Share: match(text, /Top-20% share \(\d+ partners\) ([\d.]+%)/, "top-20% share"),
    n80: match(text, /N80 \(the head\) ([\d,]+) of/, "N80"),
    gini: match(text, /Gini coefficient ([\d.]+)/, "Gini"),
  };
}, 180_000);

afterAll(async () => {
  await server?.close();
});

describe("the ecosystem page, the analytics CLI and the ecosystem report PDF", () => {
  it("cover the same 12 whole months", () => {
    const expected = `${formatDate(windowFrom)} – ${formatDate(lastDay)}`;
    expect(page.window).toBe(expected);
    expect(cli.window).toEqual({ from: windowFrom.toISOString().slice(0, 10), to: asOfDay, lastDay });
    expect(pdf.text).toContain(`Last 12 months: ${expected}`);
    expect(pdf.text).toContain(`over the 12 months ${expected}`);
    expect(pdf.text).toContain(`Ecosystem report`);
    expect(pdf.text).toContain(periodLabel(period));
    // The period is the window's last month.
    expect(periodStart(addMonths(period, -11))).toEqual(windowFrom);
  });

  it("show the same HHI, top-20% share, N80 and Gini", () => {
    // The demo has revenue and some concentration: nothing here is a trivial "—".
    expect(cli.hhi).toBeGreaterThan(0);
    expect(cli.n80).toBeGreaterThan(1);

    // The page as it prints them (HHI whole, share to 0.1%, Gini to 3 places) …
    const shown: Shown = {
      hhi: cli.hhi.toFixed(0),
      top20Share: formatPercent(cli.top20Share),
      n80: String(cli.n80),
      gini: cli.gini.toFixed(3),
    };
    expect({ hhi: plain(page.hhi), top20Share: page.top20Share, n80: plain(page.n80), gini: page.gini }).toEqual(shown);
    // … and the PDF the same, with thousands separators.
    expect({ hhi: plain(pdf.hhi), top20Share: pdf.top20Share, n80: plain(pdf.n80), gini: pdf.gini }).toEqual(shown);
    expect(pdf.text).toContain(`N80 (the head) ${pdf.n80} of ${cli.partners}`);
  });

  it("agree exactly in the report model, and on the head, tail and win rates of the new sections", () => {
    const report = buildEcosystemReport(server.db, period, { now });
    expect(report.asOf).toBe(asOf.toISOString());
    expect(report.concentration).toMatchObject({ n: cli.partners, n80: cli.n80 });
    expect(report.concentration.hhi).toBe(cli.hhi);
    expect(report.concentration.top20Share).toBe(cli.top20Share);
    expect(report.concentration.gini).toBe(cli.gini);
    expect(report.alerts.map((a) => a.kind)).toEqual(cli.alerts.map((a) => a.kind));
    expect(report.headTail.head).toMatchObject(cli.head);
    expect(report.headTail.tail).toMatchObject(cli.tail);

    expect(pdf.text).toContain(`Head (N80) ${cli.head.partners} partners`);
    expect(pdf.text).toContain(`Long tail ${cli.tail.partners} partners`);
    const winRate = (f: { value: number | null; n: number }) => `${formatPercent(f.value!)} n = ${f.n.toLocaleString("en-US")} closed deals`;
    expect(pdf.text).toContain(`Win rate ${winRate(cli.program.involved.winRate)} ${winRate(cli.program.direct.winRate)}`);
  });
});
