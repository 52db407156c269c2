// One number everywhere (docs/domain.md "Figures"): for every active partner of the demo
// program, the figures its dashboard, tier page, attribution page, monthly report page, report
// PDF and report email show are the catalogue's (app/domain/figures.server.ts) — read back as a
// partner reads them: pages over real HTTP from the built server, the PDF parsed with pdfjs,
// the email received by a real SMTP server and parsed with mailparser.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_DEFAULTS, DEMO_LOGINS, DEMO_PASSWORD, DEMO_PASSWORD_HASH } from "../../db/seed/demo-accounts";
import { generateProgram } from "../../db/seed/program";
import { todayUtc } from "../../db/seed/time";
import { trailing12Months } from "../../app/domain/attribution.server";
import { FIGURES, figureLabel } from "../../app/domain/figures";
import { openPipeline, partnerFigures, type PartnerFigures } from "../../app/domain/figures.server";
import { formatMoney } from "../../app/domain/format";
import { calendarWindow, lastCompletedPeriod, periodOf } from "../../app/domain/periods";
import { programCurrency } from "../../app/domain/program-settings.server";
import { formatWinRate } from "../../app/domain/tier-snapshot";
import { countText } from "../../app/reports/contract";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp";
import { Client, startTestServer, type TestServer } from "../support/server";
import { pdfText } from "../support/pdf";

let smtp: TestSmtpServer;
let server: TestServer;
const now = new Date();
const period = lastCompletedPeriod(now);
let currency: string;

type Partner = { id: number; name: string; email: string; reportFormat: "pdf" | "email" | "off" };
let roster: Partner[];

/** What each surface showed, per partner id. */
type Shown = Record<string, string>;
const shown = new Map<number, Record<string, Shown>>();
const mailText = new Map<string, string>();

function decode(html: string) {
  return html
    .replace(/<[^>]+>/g, "")
    .replace(/&amp;/g, "&")
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .trim();
}

/** The text of the first `class="value"` element after the element marked data-figure="key". */
function cardValue(html: string, key: string, where: string): string {
  const at = html.indexOf(`data-figure="${key}"`);
  if (at < 0) throw new Error(`${where}: no figure ${key}`);
  const m = /class="value"[^>]*>(.*?)<\/(?:span|dd)>/s.exec(html.slice(at));
  if (!m) throw new Error(`${where}: no value for ${key}`);
  return decode(m[1]!);
}

/** The text of the element that itself carries data-figure="key". */
function ownValue(html: string, key: string, where: string): string {
  const m = new RegExp(`data-figure="${key}"[^>]*>(.*?)</(?:span|dd)>`, "s").exec(html);
  if (!m) throw new Error(`${where}: no figure ${key}`);
  return decode(m[1]!);
}

const money = (cents: number) => formatMoney(cents, currency);

beforeAll(async () => {
  smtp = await startSmtpServer();
  server = await startTestServer({ SMTP_URL: smtp.url });
  generateProgram(server.db, { ...DEMO_DEFAULTS, asOf: todayUtc(now), passwordHash: DEMO_PASSWORD_HASH });
  currency = programCurrency(server.db);
  roster = server.db.$client
    .prepare(
      `SELECT p.id, p.name, min(u.email) AS email, p.report_format AS reportFormat FROM partners p
         JOIN users u ON u.partner_id = p.id AND u.role = 'partner_admin' AND u.disabled_at IS NULL
        WHERE p.status = 'active' GROUP BY p.id ORDER BY p.id`,
    )
    .all() as Partner[];

  // The month's reports, sent by the partner team as the scheduler would: one email per
  // opted-in recipient, through the real SMTP server.
  const admin = new Client(server.url);
  await admin.signIn(DEMO_LOGINS.admin, DEMO_PASSWORD);
  const sent = await admin.post("/internal/reports", { intent: "send", period });
  expect(sent.status).toBe(302);
  const deadline = Date.now() + 240_000;
  for (;;) {
    const open = server.db.$client
      .prepare(`SELECT count(*) FROM report_deliveries WHERE period = ? AND kind = 'monthly' AND status IN ('queued', 'sending', 'retrying')`)
      .pluck()
      .get(period) as number;
    if (open === 0) break;
    if (Date.now() > deadline) throw new Error(`${open} reports still unsent`);
    await new Promise((r) => setTimeout(r, 500));
  }
  for (const m of smtp.messages) for (const to of m.envelope.to) mailText.set(to.toLowerCase(), m.parsed.text ?? "");

  for (const p of roster) {
    const client = new Client(server.url);
    await client.signIn(p.email, DEMO_PASSWORD);
    const page = async (path: string) => {
      const res = await client.get(path);
      expect(res.status, `${p.name} ${path}`).toBe(200);
      return res.text();
    };
    const dashboard = await page("/dashboard");
    const tier = await page("/tier");
    const attribution = await page("/attribution");
    const report = await page(`/reports/${period}`);
    const pdfRes = await client.get(`/reports/${period}.pdf`);
    expect(pdfRes.status).toBe(200);
    const pdf = await pdfText(new Uint8Array(await pdfRes.arrayBuffer()));
    shown.set(p.id, {
      dashboard: {
        creditedRevenue: cardValue(dashboard, "kpi-credited-ttm", "dashboard"),
        dealsWon: cardValue(dashboard, "kpi-won-ttm", "dashboard"),
        winRate: cardValue(dashboard, "kpi-win-rate-ttm", "dashboard"),
        monthRevenue: cardValue(dashboard, "kpi-credited-month", "dashboard"),
        openRegistrations: cardValue(dashboard, "kpi-open", "dashboard"),
        labels: decode(dashboard),
      },
      tier: {
        creditedRevenue: ownValue(tier, "creditedRevenue", "tier"),
        dealsWon: ownValue(tier, "dealsWon", "tier"),
      },
      attribution: {
        creditedRevenue: cardValue(attribution, "creditedRevenue", "attribution"),
        dealsWon: ownValue(attribution, "dealsWon", "attribution"),
      },
      report: Object.fromEntries(
        (["creditedRevenue", "dealsWon", "registrationsSubmitted", "registrationsApproved", "winRate"] as const)
          .filter((k) => report.includes(`data-figure="${k}"`))
          .map((k) => [k, cardValue(report, k, "report")]),
      ),
      pdf: { text: pdf },
    });
  }
}, 900_000);

afterAll(async () => {
  await server?.close();
  await smtp?.close();
});

function reportValues(f: PartnerFigures) {
  return {
    creditedRevenue: money(f.creditedRevenue),
    dealsWon: countText(f.dealsWon),
    registrationsSubmitted: countText(f.registrationsSubmitted),
    registrationsApproved: countText(f.registrationsApproved),
    winRate: formatWinRate(f.winRate),
  };
}

describe("every demo partner's figures agree with the catalogue on every surface", () => {
  it("covers the whole demo program", () => {
    expect(roster.length).toBeGreaterThanOrEqual(40);
    expect(shown.size).toBe(roster.length);
  });

  it("dashboard, tier page and attribution page: the trailing 12 months, this month and the open registrations", () => {
    const ttmWindow = trailing12Months(now);
    for (const p of roster) {
      const ttm = partnerFigures(server.db, p.id, ttmWindow);
      const month = partnerFigures(server.db, p.id, calendarWindow(periodOf(now)));
      const open = openPipeline(server.db, p.id, now);
      const s = shown.get(p.id)!;
      const expected = { creditedRevenue: money(ttm.creditedRevenue), dealsWon: String(ttm.dealsWon) };
      expect({ partner: p.name, ...s.dashboard, labels: undefined }, "dashboard").toEqual({
        partner: p.name,
        ...expected,
        winRate: formatWinRate(ttm.winRate),
        monthRevenue: money(month.creditedRevenue),
        openRegistrations: String(open.openRegistrations),
        labels: undefined,
      });
      expect({ partner: p.name, ...s.tier }, "tier page").toEqual({ partner: p.name, ...expected });
      expect({ partner: p.name, ...s.attribution }, "attribution page").toEqual({ partner: p.name, ...expected });
      // The labels say which span each number covers.
      expect(s.dashboard.labels).toContain(figureLabel("dealsWon", { kind: "ttm" }));
      expect(s.dashboard.labels).toContain(figureLabel("creditedRevenue", { kind: "month", value: periodOf(now) }));
    }
  });

  it("report page, report PDF and report email: last month's figures", () => {
    let withActivity = 0;
    for (const p of roster) {
      const f = partnerFigures(server.db, p.id, calendarWindow(period));
      const want = reportValues(f);
      const s = shown.get(p.id)!;
      const keys = Object.keys(s.report) as (keyof typeof want)[];
      if (keys.length === 0) continue; // "No activity": the page shows no monthly figures.
      withActivity++;
      expect({ partner: p.name, ...s.report }, "report page").toEqual({ partner: p.name, ...want });
      const pdf = s.pdf.text;
      const mail = mailText.get(p.email.toLowerCase());
      // A partner that turned its report off gets none; the others get the figures.
      if (p.reportFormat === "off") expect(mail, `${p.name} turned reports off`).toBeUndefined();
      else expect(mail, `${p.name}: a report email to ${p.email}`).toBeTruthy();
      for (const key of keys) {
        const label = FIGURES[key].label;
        expect(pdf, `${p.name} PDF ${label}`).toContain(`${label} ${want[key]}`);
        if (mail === undefined) continue;
        expect(mail, `${p.name} email ${label}`).toMatch(
          new RegExp(`^${label}:\\s+${want[key].replace(/[.*+?^${}()|[\]\\$]/g, "\\$&")}\\s`, "m"),
        );
      }
    }
    expect(withActivity, "partners with last month's figures").toBeGreaterThan(10);
  });
});
