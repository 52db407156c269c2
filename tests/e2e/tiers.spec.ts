// Tier reviews end to end in Chromium: the partner team records a win that lifts a partner on
// the lowest tier over the next one's threshold in the month that last ended, runs the
// evaluation of that month, approves the proposed upgrade with a note; the partner's admin
// sees the new tier and the decision, with its figures, in the tier history, and has an email.
import { formatMoney } from "../../app/domain/format";
import { addMonths, lastCompletedPeriod, periodEnd, periodLabel, periodStart } from "../../app/domain/periods";
import { accounts, expect, readDemoDatabase, test } from "./fixtures";
import { waitForMail } from "./outbox";

const DAY = 86_400_000;
/** The demo runs on the default ladder: Silver needs $50,000 or 3 won deals; Gold $250,000 and 10. */
const FROM_TIER = "Registered";
const TO_TIER = "Silver";
const GOLD_MIN_WON_DEALS = 10;
const WIN_CENTS = 6_000_000; // $60,000: Silver on revenue alone.

/** The month that last ended ('YYYY-MM'), its last day, and the evaluation's trailing window. */
function lastMonth(now = new Date()) {
  const period = lastCompletedPeriod(now);
  const asOf = periodEnd(period).getTime();
  return {
    period,
    lastDay: new Date(asOf - DAY).toISOString().slice(0, 10),
    label: periodLabel(period),
    /** The evaluation is as of the first instant of this month, over the 12 months before it. */
    asOf,
    windowFrom: periodStart(addMonths(period, -11)).getTime(),
  };
}

type Candidate = {
  partnerId: number;
  name: string;
  slug: string;
  dealId: number;
  wonCents: number;
  wonDeals: number;
};

/**
 * Reads the e2e database (read-only) for a partner on the lowest tier that the evaluation of
 * last month can judge (active, joined before the month ended, not evaluated yet, no proposal
 * waiting), that has an approved deal submitted before the month ended (so it can be marked
 * won on the month's last day), and whose won deals stay below Gold's count even with that one.
 */
function findCandidate(month: ReturnType<typeof lastMonth>): Candidate {
  return readDemoDatabase((db) => {
    const asOfDate = new Date(month.asOf).toISOString().slice(0, 10);
    const row = db
      .prepare(
        `select p.id as partnerId, p.name, p.slug,
                (select min(d.id) from deals d
                  where d.partner_id = p.id and d.stage = 'approved' and d.submitted_at < @asOf) as dealId,
                (select coalesce(sum(d.amount_cents), 0) from deals d
                  where d.partner_id = p.id and d.stage = 'won' and d.closed_at >= @from and d.closed_at < @asOf) as wonCents,
                (select count(*) from deals d
                  where d.partner_id = p.id and d.stage = 'won' and d.closed_at >= @from and d.closed_at < @asOf) as wonDeals
           from partners p join tiers t on t.id = p.tier_id
          where p.status = 'active' and t.name = @fromTier and p.joined_on < @asOfDate
            and exists (select 1 from users u where u.partner_id = p.id and u.role = 'partner_admin'
                          and u.email = 'admin@' || p.slug || '.demo.test' and u.disabled_at is null)
            and not exists (select 1 from tier_evaluations e where e.partner_id = p.id and e.period = @period)
            and not exists (select 1 from tier_reviews r where r.partner_id = p.id and r.status = 'pending')
            and dealId is not null and wonDeals + 1 < @goldWon
          order by p.id
          limit 1`
      )
      .get({
        asOf: month.asOf,
        from: month.windowFrom,
        asOfDate,
        period: month.period,
        fromTier: FROM_TIER,
        goldWon: GOLD_MIN_WON_DEALS,
      }) as Candidate | undefined;
    if (!row) throw new Error(`the demo has no ${FROM_TIER} partner with an approved deal to win in ${month.period}`);
    return row;
  });
}

test("staff run an evaluation, approve an upgrade; the partner sees the new tier and its history and has an email", async ({
  page,
  signIn,
  signOut,
}) => {
  const month = lastMonth();
  const partner = findCandidate(month);
  const partnerAdmin = accounts.partnerAdmin(partner.slug);
  const revenue = formatMoney(partner.wonCents + WIN_CENTS, "USD");
  const wonDeals = partner.wonDeals + 1;
  const note = `Great ${month.label}: welcome to ${TO_TIER} (e2e ${Date.now()}).`;

  // The CRM says the partner won its approved deal on the last day of last month.
  await signIn(accounts.manager);
  await page.goto("/internal/imports");
  await page.getByLabel("What the file contains").selectOption("outcomes");
  await page.getByLabel("CSV file").setInputFiles({
    name: "outcomes.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(`deal_id,stage,amount,close_date\n${partner.dealId},won,60000.00,${month.lastDay}\n`),
  });
  await page.getByRole("button", { name: "Preview" }).click();
  await page.getByRole("button", { name: "Import 1 row" }).click();
  await expect(page.getByText(/Imported 1 row/)).toBeVisible();

  // Run the evaluation of last month.
  await page.goto("/internal/tier-reviews");
  await expect(page.getByRole("heading", { level: 1, name: "Tier reviews" })).toBeVisible();
  const evaluate = page.getByRole("form", { name: "Run an evaluation" });
  await evaluate.getByLabel("Month to evaluate").selectOption(month.period);
  await evaluate.getByRole("button", { name: "Run evaluation" }).click();
  const summary = page.getByRole("status").filter({ hasText: `${month.label}:` });
  await expect(summary).toContainText(/\d+ partners evaluated now/);
  await expect(summary).toContainText(/[1-9]\d* upgrades/);

  // The proposal for the partner, with the figures it was judged on.
  const card = page.getByRole("article", { name: partner.name });
  await expect(card).toContainText(`Upgrade: ${FROM_TIER} → ${TO_TIER}`);
  await expect(card).toContainText(`Evaluation of ${month.label}`);
  const figures = card.getByRole("table", { name: "Figures of the evaluation against the thresholds" });
  await expect(figures.getByRole("row", { name: /Credited revenue/ })).toContainText(revenue);
  await expect(figures.getByRole("row", { name: /Deals won/ })).toContainText(String(wonDeals));

  // Approve it with a note.
  const decide = card.getByRole("form", { name: `Decide the proposal for ${partner.name}` });
  await decide.getByLabel("Note", { exact: true }).fill(note);
  await decide.getByRole("button", { name: `Approve ${TO_TIER}` }).click();
  await expect(page.getByRole("status").filter({ hasText: "Approved:" })).toContainText(
    `Approved: the partner is now ${TO_TIER}. The partner's admins were emailed.`
  );
  await expect(page.getByRole("article", { name: partner.name })).toHaveCount(0);
  const decided = page
    .getByRole("region", { name: "Recently decided" })
    .getByRole("row")
    .filter({ hasText: partner.name });
  await expect(decided).toContainText(`${FROM_TIER} → ${TO_TIER}`);
  await expect(decided).toContainText("Approved");
  await expect(decided).toContainText(note);
  await signOut();

  // The partner's admin sees the new tier and why it changed, with the figures.
  await signIn(partnerAdmin);
  await page.goto("/tier");
  await expect(page.getByRole("heading", { level: 1, name: "Your tier" })).toBeVisible();
  await expect(page.locator("main")).toContainText(`${partner.name} is a ${TO_TIER} partner`);
  const history = page.getByRole("region", { name: "Tier history" });
  const entry = history.getByRole("row").filter({ hasText: note });
  await expect(entry).toHaveCount(1);
  await expect(entry).toContainText(`${month.label} evaluation`);
  await expect(entry).toContainText(`${FROM_TIER} → ${TO_TIER}`);
  await expect(entry).toContainText("Approved");
  await expect(entry).toContainText(`Credited revenue · trailing 12 months (Sourced model): ${revenue}`);
  await expect(entry).toContainText(`Deals won · trailing 12 months: ${wonDeals}`);

  // And has the email.
  const mail = await waitForMail(
    (m) => m.to.includes(partnerAdmin) && m.subject === `Your tier is now ${TO_TIER} — ${partner.name}`
  );
  expect(mail.text).toContain(`from ${FROM_TIER} to ${TO_TIER}`);
  expect(mail.text).toContain(note);
  expect(mail.text).toContain(`Credited revenue · trailing 12 months (Sourced model): ${revenue}`);
  expect(mail.text).toContain(`Deals won · trailing 12 months: ${wonDeals}`);
  expect(mail.text).toContain("/tier");
});
