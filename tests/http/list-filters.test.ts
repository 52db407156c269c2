// Malformed list filters in the URL through real HTTP against the built server: the partner's
// deal list answers 400 with the message next to the field and still renders (the list with
// the filters that are valid); its CSV export answers 400 text saying what to fix; no list
// page of either side answers 500 to a malformed filter.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCustomer, createDeal } from "../../db/factories";
import { TEST_PASSWORD } from "../support/db";
import { Client, startTestServer, type TestServer } from "../support/server";
import { createWorld, type World } from "../support/world";

let server: TestServer;
let world: World;
let beta: Client;
let manager: Client;

beforeAll(async () => {
  server = await startTestServer();
  world = await createWorld(server.db);
  const customer = createCustomer(server.db, { name: "Filter Target Ltd", domain: "filter-target.test" });
  createDeal(server.db, { customerId: customer.id, partnerId: world.partnerB.id, title: "Filter Target Deal", stage: "submitted" });
  beta = new Client(server.url);
  await beta.signIn(world.adminB.email, TEST_PASSWORD);
  manager = new Client(server.url);
  await manager.signIn(world.manager.email, TEST_PASSWORD);
});

afterAll(() => server.close());

const BAD_DEAL_FILTERS: [query: string, field: string, message: RegExp][] = [
  ["from=0000-00-00", "from", /&quot;0000-00-00&quot; is not a date: use a real day as YYYY-MM-DD/],
  ["to=2026-99-99", "to", /&quot;2026-99-99&quot; is not a date: use a real day as YYYY-MM-DD/],
  ["from=2026-02-30", "from", /&quot;2026-02-30&quot; is not a date/],
  ["from=2026-05-02&to=2026-05-01", "to", /The end date 2026-05-01 is before the start date 2026-05-02/],
  ["stage=bogus", "stage", /&quot;bogus&quot; is not a stage: choose one of submitted/],
];

describe("the partner's deal list", () => {
  it("answers 400 to a malformed filter, shows the message next to its field and still renders", async () => {
    for (const [query, field, message] of BAD_DEAL_FILTERS) {
      const res = await beta.get(`/deals?${query}`);
      expect(res.status, query).toBe(400);
      const html = await res.text();
      expect(html, query).toMatch(message);
      expect(html, query).toContain(`id="filter-${field}-error"`);
      expect(html, query).toContain(`aria-describedby="filter-${field}-error"`);
      // The rest of the page works: the list (without the bad filter), the links, the form.
      expect(html, query).toContain("Filter Target Deal");
      expect(html, query).toContain('href="/deals/new"');
      expect(html, query).toContain('role="search"');
    }
  });

  it("keeps what was typed in the field so it can be corrected", async () => {
    const html = await (await beta.get("/deals?to=2026-99-99&q=target")).text();
    expect(html).toContain('value="2026-99-99"');
    expect(html).toContain('value="target"');
  });

  it("answers the route data request with 400 too, never 500", async () => {
    const res = await beta.get("/deals.data?from=0000-00-00");
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("is not a date");
  });

  it("still answers 200 to valid and empty filters", async () => {
    for (const query of ["", "from=2020-01-01&to=2099-12-31", "stage=&from=&to=&q=", "stage=submitted&after=x"]) {
      const res = await beta.get(`/deals?${query}`);
      expect(res.status, query).toBe(200);
      expect(await res.text(), query).toContain("Filter Target Deal");
    }
  });
});

describe("the deal CSV export", () => {
  it("answers 400 text saying what to fix, never a file with the filter left out", async () => {
    for (const [query, ,] of BAD_DEAL_FILTERS.filter(([, field]) => field !== "page")) {
      const res = await beta.get(`/deals.csv?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.headers.get("content-type"), query).toBe("text/plain; charset=utf-8");
      expect(res.headers.get("content-disposition"), query).toBeNull();
      const text = await res.text();
      expect(text, query).toMatch(/^(Stage|Submitted from|Submitted to): /);
    }
    const both = await (await beta.get("/deals.csv?from=0000-00-00&to=2026-99-99")).text();
    expect(both).toContain('Submitted from: "0000-00-00" is not a date: use a real day as YYYY-MM-DD, e.g. 2026-03-31.');
    expect(both).toContain('Submitted to: "2026-99-99" is not a date');
  });

  it("still exports with valid filters", async () => {
    const res = await beta.get("/deals.csv?from=2020-01-01&to=2099-12-31&stage=submitted");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(await res.text()).toContain("Filter Target Deal");
  });
});

describe("every other list with filters in the URL", () => {
  const junk = "from=0000-00-00&to=2026-99-99&page=-1&status=x&kind=x&region=x&manager=x&flag=x&stage=x&period=0000-00";
  it("never answers 500 to malformed values", async () => {
    const pages: [Client, string][] = [
      [beta, `/reports?${junk}`],
      [beta, `/attribution?kind=month&month=0000-00`],
      [beta, `/attribution?kind=quarter&quarter=2026-Q9`],
      [beta, `/dashboard?${junk}`],
      [manager, `/internal/registrations?${junk}`],
      [manager, `/internal/partners?${junk}`],
      [manager, `/internal/ecosystem?${junk}`],
      [manager, `/internal/ecosystem.csv?${junk}`],
      [manager, `/internal/outbox?id=..%2F..%2Fetc%2Fpasswd`],
      [manager, `/internal/reports?${junk}`],
    ];
    for (const [client, url] of pages) {
      const res = await client.get(url);
      expect(res.status, url).toBeLessThan(500);
      await res.arrayBuffer();
    }
  });
});
