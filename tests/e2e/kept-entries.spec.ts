// Issue 13 #3 in Chromium: a session that ends while a partner fills the deal form loses
// nothing. The website check made after the end says "signed out" in place (the page stays);
// submitting leads to sign-in with a message, and back to the form with every entry filled in,
// ready to submit.
import Database from "better-sqlite3";
import { accounts, DEMO_PASSWORD, expect, test } from "./fixtures";
import { E2E } from "./playwright.config";

const SLUG = "coralshore-it";
const OTHER_SLUG = "bluefield-advisors";

/** The server ends the user's sessions as the idle timeout would: they are past their expiry. */
function expireSessionsOf(email: string) {
  const db = new Database(E2E.databasePath);
  try {
    db.prepare("update sessions set expires_at = 0 where user_id = (select id from users where email = ?)").run(email);
  } finally {
    db.close();
  }
}

test("a deal form posted after the session ended keeps its entries through sign-in", async ({ page, signIn }) => {
  const email = accounts.partnerUser(SLUG);
  const domain = `kept-${Date.now()}.example.com`;
  const close = new Date(Date.now() + 45 * 86_400_000).toISOString().slice(0, 10);
  await signIn(email);
  await page.goto("/deals/new");
  await page.getByLabel("Customer company").fill("Kestrel Logistics");
  await page.getByLabel("Contact name").fill("Robin Keeper");
  await page.getByLabel("Contact email").fill(`robin@${domain}`);
  await page.getByLabel("Estimated amount").fill("31000.25");
  await page.getByLabel("Expected close date").fill(close);
  await page.getByLabel("Product line").selectOption({ index: 2 });
  await page.getByLabel("Notes (optional)").fill("Met at the logistics fair; budget approved for Q3.");

  expireSessionsOf(email);

  // The website check runs in the background: it answers "signed out" and the page stays put.
  await page.getByLabel("Website").fill(domain);
  await page.getByLabel("Contact name").click();
  await expect(page.getByText(/Signed out: this website could not be checked/)).toBeVisible();
  await expect(page).toHaveURL(/\/deals\/new$/);
  await expect(page.getByLabel("Customer company")).toHaveValue("Kestrel Logistics");

  // Submitting goes to sign-in, which says the entries are kept.
  await page.getByRole("button", { name: "Register deal" }).click();
  await expect(page).toHaveURL(/\/login\?redirectTo=%2Fdeals%2Fnew$/);
  await expect(page.getByRole("status")).toHaveText(
    "Your session ended — sign in to continue; your entries are kept.",
  );
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();

  // Back on the form, never on a fetcher URL, with everything as typed.
  await expect(page).toHaveURL(/\/deals\/new$/);
  await expect(page.getByLabel("Customer company")).toHaveValue("Kestrel Logistics");
  await expect(page.getByLabel("Website")).toHaveValue(domain);
  await expect(page.getByLabel("Contact name")).toHaveValue("Robin Keeper");
  await expect(page.getByLabel("Contact email")).toHaveValue(`robin@${domain}`);
  await expect(page.getByLabel("Estimated amount")).toHaveValue("31000.25");
  await expect(page.getByLabel("Expected close date")).toHaveValue(close);
  await expect(page.getByLabel("Notes (optional)")).toHaveValue("Met at the logistics fair; budget approved for Q3.");
  const productLine = await page.getByLabel("Product line").inputValue();
  expect(productLine).not.toBe("");

  await page.getByRole("button", { name: "Register deal" }).click();
  await expect(page).toHaveURL(/\/deals\/\d+/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Kestrel Logistics");

  // Submitted: the kept entries are gone, the next form starts empty.
  await page.goto("/deals/new");
  await expect(page.getByLabel("Customer company")).toHaveValue("");
});

test("entries kept from one partner's ended session are never shown to another partner signing in", async ({ page, signIn }) => {
  const email = accounts.partnerUser(SLUG);
  const domain = `kept-other-${Date.now()}.example.com`;
  await signIn(email);
  await page.goto("/deals/new");
  await page.getByLabel("Customer company").fill("Secret Prospect Ltd");
  await page.getByLabel("Contact name").fill("Quinn Private");
  await page.getByLabel("Contact email").fill(`quinn@${domain}`);
  await page.getByLabel("Estimated amount").fill("18000");
  await page.getByLabel("Expected close date").fill(new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10));
  await page.getByLabel("Product line").selectOption({ index: 1 });
  expireSessionsOf(email);
  // The background check deletes the expired session and clears its cookie.
  await page.getByLabel("Website").fill(domain);
  await page.getByLabel("Contact name").click();
  await expect(page.getByText(/Signed out: this website could not be checked/)).toBeVisible();
  await page.getByRole("button", { name: "Register deal" }).click();
  await expect(page).toHaveURL(/\/login\?redirectTo=%2Fdeals%2Fnew$/);

  // Someone from another partner signs in in the same browser.
  const other = accounts.partnerUser(OTHER_SLUG);
  await page.getByLabel("Email").fill(other);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/deals\/new$/);
  await expect(page.getByLabel("Customer company")).toHaveValue("");
  await expect(page.getByLabel("Contact name")).toHaveValue("");
  await expect(page.getByText("Secret Prospect Ltd")).toHaveCount(0);
});

test("a website checked after the session ended never sends sign-in to the check's URL", async ({ page, signIn }) => {
  const email = accounts.partnerAdmin(SLUG);
  await signIn(email);
  await page.goto("/deals/new");
  await page.context().clearCookies({ name: "pp_session" });
  await page.getByLabel("Website").fill("example.org");
  await page.getByLabel("Customer company").click();
  await expect(page.getByText(/Signed out: this website could not be checked/)).toBeVisible();
  // A bookmarked or replayed check URL signs in to the user's home, never to a JSON answer.
  await page.goto(`/login?redirectTo=${encodeURIComponent("/deals/check-domain?website=example.org")}`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
});
