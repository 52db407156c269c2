// Issue 13 #6 in Chromium at a phone's size (390×844): every page of both sides, with real ids
// from the demo, fits the viewport (document no wider than the screen); the navigation folds
// behind a "Menu" button that opens and closes by keyboard.
import type { Page } from "@playwright/test";
import { accounts, expect, readDemoDatabase, test } from "./fixtures";

const SLUG = "coralshore-it";
test.use({ viewport: { width: 390, height: 844 } });

/** Routes whose width is wider than the viewport, with the widths found. */
async function overflowing(page: Page, paths: string[]) {
  const wide: string[] = [];
  for (const path of paths) {
    const response = await page.goto(path);
    expect(response?.status(), `${path} answers`).toBeLessThan(400);
    await page.waitForLoadState("networkidle");
    const { scrollWidth, viewport } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      viewport: window.innerWidth,
    }));
    if (scrollWidth > viewport) wide.push(`${path}: ${scrollWidth}px`);
    // Fitting by squeezing is no fit: a table column a letter or two wide reads as a ladder.
    const squeezed = await page.evaluate(
      () =>
        [...document.querySelectorAll("main td, main th")].filter((cell) => {
          // Only the text a reader sees: a checkbox cell's visually-hidden label is no column.
          const seen = cell.cloneNode(true) as HTMLElement;
          for (const hidden of seen.querySelectorAll(".visually-hidden")) hidden.remove();
          return (seen.textContent ?? "").trim().length > 4 && (cell as HTMLElement).offsetWidth < 40;
        }).length,
    );
    if (squeezed > 0) wide.push(`${path}: ${squeezed} table cells squeezed under 40px`);
  }
  return wide;
}

/** The first link on `path` whose href matches `pattern`: a real detail page of the demo. */
async function firstLinkOn(page: Page, path: string, pattern: RegExp) {
  await page.goto(path);
  const hrefs = await page.locator("main a[href]").evaluateAll((links) => links.map((a) => a.getAttribute("href")!));
  const href = hrefs.find((h) => pattern.test(h));
  expect(href, `a link matching ${pattern} on ${path}`).toBeTruthy();
  return href!;
}

test("no page is wider than a 390 px phone", async ({ page, signIn }) => {
  // Pages anyone can open.
  const publicWide = await overflowing(page, ["/login", "/apply", "/forgot-password"]);

  await signIn(accounts.partnerAdmin(SLUG));
  const dealId = readDemoDatabase(
    (db) =>
      (
        db
          .prepare("select d.id from deals d join partners p on p.id = d.partner_id where p.slug = ? order by d.id limit 1")
          .get(SLUG) as { id: number }
      ).id,
  );
  const report = await firstLinkOn(page, "/reports", /^\/reports\/\d{4}-\d{2}$/);
  const partnerWide = await overflowing(page, [
    "/dashboard",
    "/deals",
    "/deals/new",
    `/deals/${dealId}`,
    "/attribution",
    "/tier",
    "/reports",
    report,
    "/team",
    "/account",
    "/account/two-factor",
  ]);
  await page.context().clearCookies();

  await signIn(accounts.admin);
  const registration = await firstLinkOn(page, "/internal/registrations", /^\/internal\/registrations\/\d+$/);
  const partner = await firstLinkOn(page, "/internal/partners", /^\/internal\/partners\/[a-z0-9-]+$/);
  const internalWide = await overflowing(page, [
    "/internal",
    "/internal/registrations",
    registration,
    "/internal/partners",
    partner,
    "/internal/ecosystem",
    "/internal/metrics",
    "/internal/applications",
    "/internal/tier-reviews",
    "/internal/imports",
    "/internal/reports",
    "/internal/team",
    "/internal/outbox",
    "/internal/settings",
    "/account",
  ]);

  expect([...publicWide, ...partnerWide, ...internalWide], "pages wider than the 390 px viewport").toEqual([]);
});

test("the navigation folds behind a Menu button that works by keyboard", async ({ page, signIn }) => {
  await signIn(accounts.partnerUser(SLUG));
  await page.goto("/dashboard");
  const menu = page.getByRole("button", { name: "Menu" });
  const deals = page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Deals" });
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await expect(deals).toBeHidden();
  // The bar above the page is one line, not the whole menu.
  const bar = await page.locator(".sidebar").boundingBox();
  expect(bar!.height).toBeLessThan(90);

  await menu.focus();
  await page.keyboard.press("Enter");
  await expect(menu).toHaveAttribute("aria-expanded", "true");
  await expect(deals).toBeVisible();
  await deals.focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/deals$/);
  // Navigating closes the menu again.
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await expect(deals).toBeHidden();
  await menu.focus();
  await page.keyboard.press("Space");
  await expect(menu).toHaveAttribute("aria-expanded", "true");
  await page.keyboard.press("Space");
  await expect(menu).toHaveAttribute("aria-expanded", "false");
});

test("without JavaScript the navigation is still reachable, in a <details>", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("Email").fill(accounts.partnerUser(SLUG));
  await page.getByLabel("Password").fill("portal-demo");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  const details = page.locator("aside details");
  await expect(details).toHaveCount(1);
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Deals" })).toBeVisible();
  await page.locator("aside summary").click();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Deals" })).toBeHidden();
  await context.close();
});

test("screenshots of the partner and manager journeys at phone size, for the record", async ({ page, signIn }) => {
  await signIn(accounts.partnerUser(SLUG));
  for (const path of ["/dashboard", "/deals", "/deals/new"]) {
    await page.goto(path);
    await page.screenshot({ path: `${test.info().outputDir}/phone${path.replace(/\//g, "-")}.png`, fullPage: true });
  }
  await page.getByRole("button", { name: "Menu" }).click();
  await page.screenshot({ path: `${test.info().outputDir}/phone-menu-open.png` });
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await page.context().clearCookies();
  await signIn(accounts.manager);
  for (const path of ["/internal", "/internal/ecosystem", "/internal/partners"]) {
    await page.goto(path);
    await page.screenshot({ path: `${test.info().outputDir}/phone${path.replace(/\//g, "-")}.png`, fullPage: true });
  }
  await expect(page.getByRole("heading", { level: 1 }).first()).toBeVisible();
});
