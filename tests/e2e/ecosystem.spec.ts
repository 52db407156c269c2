// Ecosystem health in Chromium: the partner team reads the concentration figures, filters the
// long tail by a flag, records a growth play on a flagged partner and finds it on that
// partner's page; a partner user is kept out.
import { accounts, expect, test } from "./fixtures";

/** The demo generator gives some partners outside the head a rising trend: the flag has rows. */
const FLAG = "Rising";

test("staff open the ecosystem page, filter the long tail, record a growth play, and see it on the partner's page", async ({
  managerPage: page,
}) => {
  await page.goto("/internal/ecosystem");
  await expect(page.getByRole("heading", { level: 1, name: "Ecosystem health" })).toBeVisible();

  // The concentration figures.
  const kpis = page.getByRole("group", { name: "Concentration figures" });
  const kpi = (key: string) => kpis.locator(`[data-kpi="${key}"]`);
  await expect(kpi("hhi").locator(".label")).toHaveText("HHI");
  await expect(kpi("hhi").locator(".value")).toHaveText(/^\d{1,5}$/);
  await expect(kpi("hhi")).toContainText(/Unconcentrated|Moderately concentrated|Highly concentrated/);
  await expect(kpi("top20").locator(".label")).toHaveText("Top-20% share");
  await expect(kpi("top20").locator(".value")).toHaveText(/^\d{1,3}\.\d%$/);
  await expect(kpi("n80").locator(".label")).toHaveText("N80");
  await expect(kpi("n80").locator(".value")).toHaveText(/^\d+$/);
  const n = Number((await page.locator("h1 + p").innerText()).match(/of the ([\d,]+) active partners/)![1].replace(/,/g, ""));
  const n80 = Number(await kpi("n80").locator(".value").innerText());
  expect(n80).toBeGreaterThan(0);
  expect(n80).toBeLessThanOrEqual(n);
  await expect(kpi("n80")).toContainText(`of ${n} partners bring 80%`);

  // The flag has rows in the demo's long tail.
  const flagged = page.getByRole("region", { name: "Head and long tail" });
  const count = Number((await flagged.innerText()).match(new RegExp(`${FLAG}\\s+(\\d+)`))?.[1] ?? "0");
  expect(count, `the demo's long tail has ${FLAG} partners`).toBeGreaterThan(0);

  // Filter the long tail by it: the URL carries the filter, every row carries the flag.
  const tail = page.getByRole("region", { name: "Long tail", exact: true });
  const filters = tail.getByRole("search", { name: "Filter the long tail" });
  await filters.getByLabel("Flag").selectOption({ label: FLAG });
  await filters.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/[?&]flag=rising(&|$)/);
  await expect(tail.getByRole("status")).toHaveText(
    `${count} ${count === 1 ? "partner" : "partners"} match these filters; flagged ones first.`
  );
  await expect(filters.getByLabel("Flag")).toHaveValue("rising");
  const rows = tail.getByRole("table").locator("tbody tr");
  await expect(rows).toHaveCount(Math.min(count, 50));
  for (const row of await rows.all()) await expect(row).toContainText(FLAG);

  // Record a growth play on the first row.
  const row = rows.first();
  const partnerLink = row.getByRole("link").first();
  const partnerName = (await partnerLink.innerText()).trim();
  const slug = (await partnerLink.getAttribute("href"))!.split("/").pop()!;
  const nextAction = `Call about the rising pipeline and offer a joint webinar (e2e ${Date.now()})`;
  await row.getByText("Record growth play").click();
  const form = row.getByRole("form", { name: `Growth play for ${partnerName}` });
  await expect(form.getByLabel("About")).toHaveValue("rising");
  // Opened by its link, the form takes the keyboard; the link kept the filters.
  await expect(form.getByLabel("About")).toBeFocused();
  await expect(page).toHaveURL(/[?&]flag=rising&play=\d+$/);
  await form.getByLabel("Owner").selectOption({ label: "Morgan Manager" });
  await form.getByLabel("Next action").fill(nextAction);
  await form.getByLabel("Status").selectOption({ label: "In progress" });
  await form.getByRole("button", { name: "Save play" }).click();
  const saved = tail.getByRole("table").locator("tbody tr").filter({ has: page.getByRole("link", { name: partnerName, exact: true }) });
  await expect(saved.getByRole("status")).toHaveText("Growth play recorded.");
  await expect(saved.getByRole("link", { name: "1 open play" })).toBeVisible();
  // Saved, the form closes; its link is back for the next play.
  await expect(saved.getByRole("form")).toHaveCount(0);
  await expect(saved.getByRole("link", { name: `Record growth play for ${partnerName}` })).toBeVisible();
  await expect(page).toHaveURL(/[?&]flag=rising(&|$)/);

  // The play is on the partner's page.
  await saved.getByRole("link", { name: partnerName, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/internal/partners/${slug}$`));
  await expect(page.getByRole("heading", { level: 1 })).toContainText(partnerName);
  const plays = page.getByRole("region", { name: "Growth plays" });
  const play = plays.getByRole("row").filter({ hasText: nextAction });
  await expect(play).toHaveCount(1);
  await expect(play.getByRole("cell").nth(0)).toHaveText(FLAG);
  await expect(play.getByRole("cell").nth(2)).toHaveText("Morgan Manager");
  await expect(play.getByRole("combobox", { name: "Status" })).toHaveValue("in_progress");
});

test("a partner user gets No access on the ecosystem page", async ({ page, signIn }) => {
  await signIn(accounts.partnerUser("coralshore-it"));
  await expect(page).toHaveURL(/\/dashboard$/);
  const res = await page.goto("/internal/ecosystem");
  expect(res?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "No access" })).toBeVisible();
  await expect(page.getByText("Ecosystem health")).toHaveCount(0);
});
