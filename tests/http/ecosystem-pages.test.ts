// The ecosystem and program-metrics pages through real HTTP against the built server: the
// concentration figures on the page are ecosystemSnapshot's, the CSV neutralizes formulas,
// a growth play is recorded with its audit event, and partner users are refused.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomer, createDeal, createPartner } from "../../db/factories";
import { auditEvents, growthPlays, type Partner } from "../../db/schema";
import { ecosystemSnapshot } from "../../app/domain/ecosystem.server";
import { formatPercent } from "../../app/domain/format";
import { rebuildRollups } from "../../app/domain/rollups.server";
import { TEST_PASSWORD } from "../support/db";
import { Client, startTestServer, type TestServer } from "../support/server";
import { createWorld, type World } from "../support/world";

const DAY = 86_400_000;

let server: TestServer;
let world: World;
let manager: Client;
let partnerUser: Client;
let tailPartner: Partner;

/** A page's HTML without the comments React puts between adjacent text nodes. */
async function page(client: Client, path: string) {
  const res = await client.get(path);
  expect(res.status).toBe(200);
  return (await res.text()).replace(/<!-- -->/g, "");
}

/** The text of the KPI tile's value on the ecosystem page. */
function kpi(html: string, name: string) {
  const m = new RegExp(`data-kpi="${name}"[\\s\\S]*?<span class="value">([^<]*)</span>`).exec(html);
  if (!m) throw new Error(`no ${name} tile`);
  return m[1];
}

beforeAll(async () => {
  server = await startTestServer();
  world = await createWorld(server.db);
  const db = server.db;
  // A head of two big partners and a tail, one of whose names a spreadsheet would run.
  const others = Array.from({ length: 6 }, (_, i) =>
    createPartner(db, { name: `Tail Partner ${i}`, slug: `tail-${i}`, managerId: world.manager.id }),
  );
  tailPartner = createPartner(db, { name: '=HYPERLINK("http://x")', slug: "formula-partner", kind: "agency" });
  const won = (partnerId: number, amountCents: number, daysAgo: number) => {
    const customer = createCustomer(db);
    createDeal(
      db,
      {
        partnerId,
        customerId: customer.id,
        stage: "won",
        amountCents,
        submittedAt: new Date(Date.now() - (daysAgo + 30) * DAY),
        closedAt: new Date(Date.now() - daysAgo * DAY),
      },
      { withSubmissionTouch: true },
    );
  };
  won(world.partnerA.id, 40_000_000, 45);
  won(world.partnerA.id, 20_000_000, 200);
  won(world.partnerB.id, 30_000_000, 90);
  others.forEach((p, i) => won(p.id, 1_000_000 * (i + 1), 60 + 20 * i));
  won(tailPartner.id, 500_000, 100);
  rebuildRollups(db);

  manager = new Client(server.url);
  await manager.signIn("manager@world.test", TEST_PASSWORD);
  partnerUser = new Client(server.url);
  await partnerUser.signIn("sales@alpha.test", TEST_PASSWORD);
}, 120_000);

afterAll(async () => {
  await server?.close();
});

/** A growth play without an owner and with a one-letter next action: refused. */
const incompletePlay = () => ({
  intent: "play",
  partnerId: String(tailPartner.id),
  flag: "rising",
  ownerId: "",
  nextAction: "x",
  status: "open",
});

describe("/internal/ecosystem", () => {
  it("shows the HHI, top-20% share and N80 of ecosystemSnapshot", async () => {
    const html = await page(manager, "/internal/ecosystem");
    const c = ecosystemSnapshot(server.db).concentration;
    expect(c.n).toBe(9);
    expect(kpi(html, "hhi")).toBe(c.hhi!.toFixed(0));
    expect(kpi(html, "top20")).toBe(formatPercent(c.top20Share!));
    expect(kpi(html, "n80")).toBe(String(c.n80));
    expect(html).toContain(`of ${c.n} partners bring 80%`);
    expect(kpi(html, "gini")).toBe(c.gini.toFixed(3));
    // Partner A brings $600k of $1,115k: above 25%, named in the alert.
    expect(html).toMatch(/role="alert"[\s\S]*Alpha Resellers<\/a> brings 53\.8% of credited/);
    expect(html).toContain('role="img"');
    expect(html).toContain("Cumulative share of credited revenue by share of partners");
  });

  it("filters the long tail in the URL and exports it as CSV with formulas neutralized", async () => {
    const filtered = await page(manager, "/internal/ecosystem?kind=agency");
    expect(filtered).toContain("=HYPERLINK");
    expect(filtered).not.toContain("Tail Partner 0");
    const csv = await manager.get("/internal/ecosystem.csv?kind=agency");
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    const text = await csv.text();
    const [header, ...lines] = text.trim().split("\r\n");
    expect(header).toContain("partner,slug,kind,region,manager");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^"'=HYPERLINK\(""http:\/\/x""\)",formula-partner,agency,/);
  });

  it("opens one growth-play form at a time, by a plain link that keeps the list's filters", async () => {
    const forms = (html: string) => [...html.matchAll(/<form[^>]*aria-label="Growth play for ([^"]*)"/g)].map((m) => m[1]);
    const list = await page(manager, "/internal/ecosystem?kind=agency");
    expect(forms(list)).toEqual([]);
    const link = `?kind=agency&amp;play=${tailPartner.id}`;
    expect(list).toContain(`href="/internal/ecosystem${link}"`);
    expect(list).toContain('Record growth play<span class="visually-hidden"> for =HYPERLINK(&quot;http://x&quot;)</span>');

    const opened = await page(manager, `/internal/ecosystem?kind=agency&play=${tailPartner.id}`);
    expect(forms(opened)).toEqual(["=HYPERLINK(&quot;http://x&quot;)"]);
    expect(opened).toContain('href="/internal/ecosystem?kind=agency">Close</a>');
    // A refused save (no JavaScript: the form posts to the list's own URL) shows the form again.
    const refused = await manager.post(`/internal/ecosystem?kind=agency&play=${tailPartner.id}`, incompletePlay());
    expect(refused.status).toBe(400);
    const html = (await refused.text()).replace(/<!-- -->/g, "");
    expect(forms(html)).toEqual(["=HYPERLINK(&quot;http://x&quot;)"]);
    expect(html).toContain("Choose an owner.");
    expect(server.db.select().from(growthPlays).where(eq(growthPlays.partnerId, tailPartner.id)).all()).toEqual([]);
  });

  it("records a growth play with its audit event, and refuses an incomplete one", async () => {
    const bad = await manager.post("/internal/ecosystem", incompletePlay());
    expect(bad.status).toBe(400);
    const ok = await manager.post("/internal/ecosystem", {
      intent: "play",
      partnerId: String(tailPartner.id),
      flag: "rising",
      ownerId: world.manager.id,
      nextAction: "Plan a joint webinar",
      status: "in_progress",
    });
    expect(ok.status).toBe(200);
    const play = server.db.select().from(growthPlays).where(eq(growthPlays.partnerId, tailPartner.id)).get()!;
    expect(play).toMatchObject({ flag: "rising", ownerId: world.manager.id, nextAction: "Plan a joint webinar", status: "in_progress" });
    const audit = server.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.entityType, "growth_play"), eq(auditEvents.entityId, String(play.id))))
      .all();
    expect(audit.map((a) => a.action)).toEqual(["growth_play.recorded"]);
    // The partner's page lists it and moves it on.
    const detail = await page(manager, "/internal/partners/formula-partner");
    expect(detail).toContain("Plan a joint webinar");
    const moved = await manager.post("/internal/partners/formula-partner", {
      intent: "play-status",
      playId: String(play.id),
      status: "done",
    });
    expect(moved.status).toBe(200);
    expect(server.db.select().from(growthPlays).where(eq(growthPlays.id, play.id)).get()!.status).toBe("done");
  });
});

describe("/internal/metrics", () => {
  it("shows partner-involved vs direct with sample sizes and low-sample badges", async () => {
    const html = await page(manager, "/internal/metrics");
    expect(html).toContain("Partner-involved");
    expect(html).toMatch(/n = 10 closed deals/);
    expect(html).toContain("Low sample");
  });
});

describe("partner users", () => {
  it.each(["/internal/ecosystem", "/internal/metrics", "/internal/ecosystem.csv"])("get 403 on %s", async (path) => {
    const res = await partnerUser.get(path);
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain("Alpha Resellers");
  });

  it("cannot record a growth play", async () => {
    const res = await partnerUser.post("/internal/ecosystem", {
      intent: "play",
      partnerId: String(world.partnerA.id),
      flag: "rising",
      ownerId: world.manager.id,
      nextAction: "Sneaky",
      status: "open",
    });
    expect(res.status).toBe(403);
    expect(server.db.select().from(growthPlays).where(eq(growthPlays.nextAction, "Sneaky")).all()).toEqual([]);
  });
});
