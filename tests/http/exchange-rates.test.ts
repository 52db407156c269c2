// Exchange rates through the real built server: the admin's page adds and refuses rates with
// errors that say what to fix, the CSV upload is all-or-nothing and names each bad line, the
// template downloads, and the partner's dashboard warns about a deal without a rate (its amount
// left out of the pipeline, never added 1:1) until the rate exists.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomer, createDeal, ensureDefaultProgram } from "../../db/factories";
import { exchangeRates } from "../../db/schema";
import { TEST_PASSWORD } from "../support/db";
import { Client, startTestServer, type TestServer } from "../support/server";
import { createWorld, type World } from "../support/world";

let server: TestServer;
let world: World;
let admin: Client;
let partner: Client;
const PAGE = "/internal/settings/exchange-rates";
const text = async (res: Response) => (await res.text()).replace(/<!-- -->/g, "").replace(/&quot;/g, '"').replace(/&#x27;/g, "'");
const today = new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  server = await startTestServer();
  world = await createWorld(server.db);
  ensureDefaultProgram(server.db);
  createDeal(server.db, { partnerId: world.partnerA.id, customerId: createCustomer(server.db).id, stage: "approved", currency: "USD", amountCents: 1_000_000 });
  createDeal(server.db, { partnerId: world.partnerA.id, customerId: createCustomer(server.db).id, stage: "approved", currency: "EUR", amountCents: 7_200_000 });
  admin = new Client(server.url);
  await admin.signIn(world.admin.email, TEST_PASSWORD);
  partner = new Client(server.url);
  await partner.signIn(world.userA.email, TEST_PASSWORD);
});
afterAll(() => server.close());

function upload(csv: string) {
  const body = new FormData();
  body.set("intent", "upload");
  body.set("file", new Blob([csv], { type: "text/csv" }), "rates.csv");
  return fetch(`${server.url}${PAGE}`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie: (admin as unknown as { cookieHeader(): string }).cookieHeader(), origin: server.url },
    body,
  });
}

describe("the dashboard before any EUR rate", () => {
  it("warns that the EUR deal is left out of the pipeline instead of adding €72,000 as dollars", async () => {
    const html = await text(await partner.get("/dashboard"));
    expect(html).toContain("Missing exchange rate.");
    expect(html).toContain(`1 deal is left out of the USD totals: no EUR→USD rate on or before ${today}.`);
    expect(html).toContain("$10,000 open pipeline");
    expect(html).not.toContain("$82,000");
    expect(html).toContain("In USD; won deals at their close-date rate, pipeline at today's.");
    // Partners cannot add rates: no link to the admin page.
    expect(html).not.toContain(`href="${PAGE}"`);
  });
});

describe("the exchange rates page", () => {
  it("shows the missing rate with a link to add it", async () => {
    const res = await admin.get(PAGE);
    expect(res.status).toBe(200);
    const html = await text(res);
    expect(html).toContain("Rates to USD");
    expect(html).toContain("Add the rate");
  });

  it("refuses a bad rate with a 400 that says what to fix, keeping what was typed", async () => {
    const res = await admin.post(PAGE, { intent: "add", currency: "USD", validFrom: "2026-02-30", rate: "1,08" });
    expect(res.status).toBe(400);
    const html = await text(res);
    expect(html).toContain("USD is the reporting currency: its deals are never converted. Choose one of EUR, GBP.");
    expect(html).toContain('"2026-02-30" is not a date: write it as YYYY-MM-DD, e.g. 2026-01-31.');
    expect(html).toContain('"1,08" is not a rate: use digits and a dot, e.g. 1.0842.');
    expect(html).toContain('value="1,08"');
    expect(server.db.select().from(exchangeRates).all()).toEqual([]);
  });

  it("uploads nothing from a file with a bad line, naming the line and the fix", async () => {
    const res = await upload(`currency,valid_from,rate\nGBP,2026-01-01,1.27\nEUR,01/02/2026,1.1\n`);
    expect(res.status).toBe(400);
    const html = await text(res);
    expect(html).toContain("Nothing was saved.");
    expect(html).toContain('Line 3: "01/02/2026" is not a date: write it as YYYY-MM-DD, e.g. 2026-01-31.');
    expect(server.db.select().from(exchangeRates).all()).toEqual([]);

    const header = await text(await upload(`cur,date,rate\nGBP,2026-01-01,1.27\n`));
    expect(header).toContain('Line 1: The header must be exactly "currency,valid_from,rate"');
  });

  it("downloads a template the upload accepts as it is", async () => {
    const res = await admin.get("/internal/settings/exchange-rates-template.csv");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/csv");
    const template = await res.text();
    expect(template).toContain("currency,valid_from,rate");
    const applied = await upload(template);
    expect(applied.status).toBe(200);
    expect(await text(applied)).toContain("2 rates saved from rates.csv.");
    expect(server.db.select().from(exchangeRates).where(eq(exchangeRates.currency, "EUR")).get()).toMatchObject({
      quoteCurrency: "USD",
      validFrom: "2026-01-01",
      rateMicros: 920_000,
    });
  });

  it("adds a rate, and the dashboard converts the EUR deal with it and stops warning", async () => {
    const res = await admin.post(PAGE, { intent: "add", currency: "EUR", validFrom: "2026-06-01", rate: "1.1" });
    expect(res.status).toBe(200);
    expect(await text(res)).toContain("EUR rate from 2026-06-01 saved.");
    const html = await text(await partner.get("/dashboard"));
    expect(html).not.toContain("Missing exchange rate.");
    expect(html).toContain("$89,200 open pipeline"); // $10,000 + €72,000 × 1.1
  });
});
