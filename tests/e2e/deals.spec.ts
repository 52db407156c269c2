// Deal registration end to end in Chromium: partner A registers, the manager approves, A sees
// its protection end; partner B registers the same account and is told only that it is taken;
// the manager sees the conflict with A named; an outcome import marks A's deal won and A is
// emailed.
import type { Page } from "@playwright/test";
import { accounts, expect, test } from "./fixtures";
import { waitForMail } from "./outbox";

const A = "coralshore-it";
const B = "bluefield-advisors";

async function fillRegistration(page: Page, company: string, website: string, contactDomain: string) {
  await page.goto("/deals/new");
  await page.getByLabel("Customer company").fill(company);
  await page.getByLabel("Website").fill(website);
  await page.getByLabel("Contact name").fill("Dana Buyer");
  await page.getByLabel("Contact email").fill(`dana@${contactDomain}`);
  await page.getByLabel("Estimated amount").fill("48000.50");
  const close = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10);
  await page.getByLabel("Expected close date").fill(close);
  await page.getByLabel("Product line").selectOption({ index: 1 });
}

test("register, approve, conflict, import the win, email", async ({ page, signIn, signOut }) => {
  const domain = `e2e-${Date.now()}.example.com`;

  // Partner A registers: a typo in the amount first gets a clear field error and keeps the rest.
  await signIn(accounts.partnerUser(A));
  await fillRegistration(page, "Quasar Freight", `https://www.${domain}/contact`, domain);
  await page.getByLabel("Estimated amount").fill("12.345");
  await page.getByRole("button", { name: "Register deal" }).click();
  await expect(page.getByText(/2 decimal|two decimal|cents/i).first()).toBeVisible();
  await expect(page.getByLabel("Customer company")).toHaveValue("Quasar Freight");
  await page.getByLabel("Estimated amount").fill("48000.50");
  await page.getByRole("button", { name: "Register deal" }).click();
  await expect(page).toHaveURL(/\/deals\/\d+/);
  const dealId = Number(new URL(page.url()).pathname.split("/").pop());
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Quasar Freight");
  await signOut();

  // The manager approves it.
  await signIn(accounts.manager);
  await page.goto(`/internal/registrations/${dealId}`);
  await page.getByRole("form", { name: "Approve the registration" }).getByRole("button", { name: "Approve" }).click();
  await expect(page.getByText(/approved/i).first()).toBeVisible();
  await signOut();

  // A sees when its protection ends.
  await signIn(accounts.partnerUser(A));
  await page.goto(`/deals/${dealId}`);
  await expect(page.getByText("Protection ends")).toBeVisible();
  await signOut();

  // Partner B registers the same account: told it is already registered, never by whom.
  await signIn(accounts.partnerAdmin(B));
  await fillRegistration(page, "Quasar Freight GmbH", domain, domain);
  await page.getByLabel("Contact name").click(); // leave the website field: the check runs
  await expect(page.getByText("This account is already registered").first()).toBeVisible();
  const body = await page.locator("main").innerText();
  expect(body).not.toMatch(/coralshore/i);
  await page.getByLabel("Note for the reviewer").fill("We met their CFO at a trade show last month.");
  await page.getByRole("button", { name: "Submit for review anyway" }).click();
  await expect(page).toHaveURL(/\/deals\/\d+/);
  const conflictId = Number(new URL(page.url()).pathname.split("/").pop());
  expect(await page.locator("body").innerText()).not.toMatch(/coralshore/i);
  await signOut();

  // The manager sees the conflict, with A named, on the internal side.
  await signIn(accounts.manager);
  await page.goto(`/internal/registrations/${conflictId}`);
  await expect(page.getByText(/Coralshore/).first()).toBeVisible();
  await expect(page.getByText(`#${dealId}`).first()).toBeVisible();

  // An outcome import marks A's deal won.
  await page.goto("/internal/imports");
  await page.getByLabel("What the file contains").selectOption({ index: 0 });
  const today = new Date().toISOString().slice(0, 10);
  await page.getByLabel("CSV file").setInputFiles({
    name: "outcomes.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(`deal_id,stage,amount,close_date\n${dealId},won,51000.00,${today}\n`),
  });
  await page.getByRole("button", { name: "Preview" }).click();
  await page.getByRole("button", { name: "Import 1 row" }).click();
  await expect(page.getByText(/Imported 1 row/)).toBeVisible();

  const mail = await waitForMail((m) => m.to.some((t) => t.endsWith(`@${A}.demo.test`)) && /won/i.test(m.subject));
  expect(mail.text).toContain("Quasar Freight");
  expect(mail.text).toContain(`/deals/${dealId}`);
});

test("a partner cannot open another partner's deal by id", async ({ page, signIn, signOut }) => {
  await signIn(accounts.partnerAdmin(B));
  await page.goto("/deals");
  // Find a deal id of partner A through its own list, as A.
  await signOut();
  await signIn(accounts.partnerUser(A));
  await page.goto("/deals");
  const href = await page.getByRole("table").getByRole("link").first().getAttribute("href");
  await signOut();
  await signIn(accounts.partnerAdmin(B));
  const res = await page.goto(href!);
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
});
