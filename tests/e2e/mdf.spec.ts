// MDF end to end in Chromium: a partner admin requests funds, the partner manager approves,
// the partner claims with a PDF (and a registration it produced), the manager approves the
// claim for payment; the partner's MDF balance moves by the claim, and the program's MDF ROI
// and partner spend on the metrics page (this month to date) take the payment in.
import { formatDate, formatMoney } from "../../app/domain/format";
import type { Page } from "@playwright/test";
import { accounts, expect, readDemoDatabase, test } from "./fixtures";

const DAY = 86_400_000;
const dollars = (text: string) => Number(text.replace(/[^\d.]/g, ""));
const usd = (amount: number) => formatMoney(Math.round(amount * 100), "USD");
/** "$3,510,300 won ÷ $709,720.55 paid; …" → [won, paid] in dollars; [0, 0] while nothing is paid. */
function roiInputs(text: string): [number, number] {
  const m = /\$([\d,.]+) won ÷ \$([\d,.]+) paid/.exec(text);
  return m ? [dollars(m[1]!), dollars(m[2]!)] : [0, 0];
}

/** Follows "Include this month to date" and waits until the page shows the window ending this month. */
async function includeThisMonth(page: Page) {
  const now = new Date();
  const lastDay = formatDate(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 0))); // "30 Nov 2026"
  await page.getByRole("link", { name: "Include this month to date" }).click();
  await expect(page).toHaveURL(/asOf=\d{4}-\d{2}-01/);
  // The URL changes before the new figures render: read them only once the period says so.
  await expect(page.getByText(`– ${lastDay}; retention`, { exact: false })).toBeVisible();
}

/** A demo partner whose tier allows at least $5,000 a quarter and has $1,000 left this quarter. */
function partnerWithBudget(): string {
  return readDemoDatabase((db) => {
    const quarter = (d: Date) => `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
    const q = quarter(new Date(Date.now() + 7 * DAY));
    const row = db
      .prepare(
        `SELECT p.slug FROM partners p JOIN tiers t ON t.id = p.tier_id
          WHERE p.status = 'active' AND t.mdf_quarter_cents >= 500000
            AND t.mdf_quarter_cents - coalesce((SELECT sum(coalesce(r.paid_cents, r.amount_cents)) FROM mdf_requests r
                 WHERE r.partner_id = p.id AND r.quarter = ? AND r.status IN ('approved', 'claimed', 'paid')), 0) >= 100000
            -- a registration the claim can link: submitted from a month before the activity on
            AND EXISTS (SELECT 1 FROM deals d WHERE d.partner_id = p.id AND d.stage <> 'rejected' AND d.submitted_at >= ?)
          ORDER BY p.id DESC LIMIT 1`,
      )
      .get(q, Date.now() + 7 * DAY - 30 * DAY) as { slug: string } | undefined;
    if (!row) throw new Error("no demo partner with MDF budget left");
    return row.slug;
  });
}

test("a partner requests MDF, the manager approves, the partner claims with a PDF, the claim is paid", async ({ page, signIn, signOut }) => {
  const slug = partnerWithBudget();
  const planned = new Date(Date.now() + 7 * DAY).toISOString().slice(0, 10);

  // 1. The partner admin requests $1,000.
  await signIn(accounts.partnerAdmin(slug));
  await page.getByRole("link", { name: "MDF" }).click();
  await expect(page.getByRole("heading", { name: "Market development funds" })).toBeVisible();
  await page.getByLabel("Activity type").selectOption("market");
  await page.getByLabel("Activity", { exact: true }).fill("E2E customer roadshow");
  await page.getByLabel("Planned date").fill(planned);
  await page.getByLabel(/^Amount/).fill("1000");
  await page.getByLabel("Expected outcome").fill("40 leads, 4 registrations");
  await page.getByRole("button", { name: "Request funds" }).click();
  await expect(page.getByRole("status")).toContainText("Request sent");
  const id = Number(/\/mdf\/(\d+)/.exec(page.url())![1]);
  const usedBefore = dollars(await page.getByTestId("mdf-used").innerText());
  await signOut();

  // 2. The manager approves it; the metrics before the payment.
  await signIn(accounts.manager);
  await page.goto(`/internal/mdf/${id}`);
  await page.getByRole("button", { name: "Approve request" }).click();
  await expect(page.getByRole("status")).toContainText("Request approved.");
  await page.goto("/internal/metrics");
  await includeThisMonth(page);
  await expect(page.getByTestId("partner-spend")).toBeVisible();
  const spendBefore = dollars(await page.getByTestId("partner-spend").innerText());
  const paidBefore = roiInputs(await page.getByTestId("mdf-roi-inputs").innerText())[1];
  await signOut();

  // 3. The partner claims $800 with a PDF and a registration; the balance counts the approval.
  await signIn(accounts.partnerAdmin(slug));
  await page.goto(`/mdf/${id}`);
  await expect(page.getByTestId("mdf-used")).toHaveText(usd(usedBefore + 1000));
  await page.getByLabel("Amount spent (USD)").fill("800");
  await page.getByLabel("Leads generated").fill("32");
  await page.getByLabel("Results").fill("Three cities, 120 attendees, 32 qualified leads.");
  await page.getByRole("group", { name: "Registrations from this activity" }).getByRole("checkbox").first().check();
  await page.getByLabel("Proof files").setInputFiles({ name: "roadshow-invoice.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4\n% roadshow invoice\n%%EOF\n") });
  await page.getByRole("button", { name: "Submit claim" }).click();
  await expect(page.getByRole("status")).toContainText("Claim submitted");
  await expect(page.getByRole("link", { name: "roadshow-invoice.pdf" })).toBeVisible();
  await signOut();

  // 4. The manager approves the claim; spend and MDF paid grow by $800, ROI is won ÷ paid.
  await signIn(accounts.manager);
  await page.goto(`/internal/mdf/${id}`);
  await expect(page.getByRole("link", { name: "roadshow-invoice.pdf" })).toBeVisible();
  await page.getByRole("button", { name: "Approve claim for payment" }).click();
  await expect(page.getByRole("status")).toContainText("Claim approved for payment.");
  await page.goto("/internal/metrics");
  await includeThisMonth(page);
  await expect.poll(async () => dollars(await page.getByTestId("partner-spend").innerText())).toBeCloseTo(spendBefore + 800, 2);
  const [won, paid] = roiInputs(await page.getByTestId("mdf-roi-inputs").innerText());
  expect(paid).toBeCloseTo(paidBefore + 800, 2);
  const roi = won / paid;
  await expect(page.getByTestId("mdf-roi")).toHaveText(`${roi.toFixed(roi >= 10 ? 0 : 2)}×`);
  await signOut();

  // 5. The partner's balance: $800 paid, the unspent $200 back in the allowance.
  await signIn(accounts.partnerAdmin(slug));
  await page.goto(`/mdf/${id}`);
  await expect(page.getByTestId("mdf-used")).toHaveText(usd(usedBefore + 800));
  await expect(page.getByText("Claim approved", { exact: true })).toBeVisible();
});

/** A seeded claim awaiting approval, with its partner's slug and its proof file's name. */
function seededClaim(): { id: number; slug: string; title: string; fileName: string } {
  return readDemoDatabase((db) => {
    const row = db
      .prepare(
        `SELECT r.id, p.slug, r.title, f.file_name AS fileName FROM mdf_requests r
           JOIN partners p ON p.id = r.partner_id JOIN mdf_proof_files f ON f.request_id = r.id
          WHERE r.status = 'claimed' AND p.status = 'active' ORDER BY r.id LIMIT 1`,
      )
      .get() as { id: number; slug: string; title: string; fileName: string } | undefined;
    if (!row) throw new Error("no seeded claim awaiting approval");
    return row;
  });
}

test("the manager downloads a seeded claim's proof and returns the claim for changes; the partner sees why and can claim again", async ({ page, signIn, signOut }) => {
  const claim = seededClaim();
  await signIn(accounts.manager);
  await page.goto(`/internal/mdf/${claim.id}`);
  // The seeded proof is a real PDF on disk.
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: claim.fileName }).click()]);
  const bytes = await (await download.createReadStream()).toArray();
  expect(Buffer.concat(bytes).subarray(0, 5).toString()).toBe("%PDF-");
  // Returning needs a reason.
  await page.getByRole("button", { name: "Return for changes" }).click();
  await expect(page.getByRole("alert").first()).toContainText("Give the partner a reason");
  await page.getByLabel(/Reason \(needed to return the claim/).fill("The attendee list is missing: attach it.");
  await page.getByRole("button", { name: "Return for changes" }).click();
  await expect(page.getByRole("status")).toContainText("Claim returned for changes");
  await signOut();

  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(accounts.partnerAdmin(claim.slug));
  await page.goto("/mdf?status=approved");
  const row = page.getByRole("row", { name: new RegExp(claim.title) });
  await expect(row.getByText("Claim returned for changes")).toBeVisible();
  await row.getByRole("link", { name: claim.title }).click();
  await expect(page.getByText("Your claim was returned for changes: The attendee list is missing: attach it.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Submit claim" })).toBeVisible();
});
