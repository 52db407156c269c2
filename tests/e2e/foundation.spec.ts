// The foundation as a person uses it, in Chromium: signing in on each side, being kept out of
// the other side, inviting a colleague, recovering a password, applying to the program.
import { accounts, DEMO_PASSWORD, demoPartnerSlugs, expect, submitSignIn, test } from "./fixtures";
import { firstLink, waitForMail } from "./outbox";

test("an anonymous visitor is sent to sign-in, which explains the demo accounts", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await expect(page.getByText("portal-demo")).toBeVisible();
});

test("every kind of demo account lands on its own side", async ({ page, signIn, signOut }) => {
  const [slug] = demoPartnerSlugs();
  const landings = [
    [accounts.admin, /\/internal$/, "Program overview"],
    [accounts.manager, /\/internal$/, "Program overview"],
    [accounts.partnerAdmin(slug), /\/dashboard$/, "Welcome"],
    [accounts.partnerUser(slug), /\/dashboard$/, "Welcome"],
  ] as const;
  for (const [email, url, heading] of landings) {
    await signIn(email);
    await expect(page).toHaveURL(url);
    await expect(page.getByRole("heading", { level: 1 })).toContainText(heading);
    await signOut();
  }
});

test("a bad sign-in says so and keeps the email", async ({ page }) => {
  // Not the fixture's signIn: this one is expected to stay on the sign-in page.
  await submitSignIn(page, accounts.admin, "wrong-password");
  await expect(page.getByRole("alert")).toContainText("That email and password do not match an account.");
  await expect(page.getByLabel("Email")).toHaveValue("admin@demo.test");
});

test("a partner user cannot open the partner team's pages", async ({ page, signIn }) => {
  const [slug] = demoPartnerSlugs();
  await signIn(accounts.partnerUser(slug));
  await expect(page).toHaveURL(/\/dashboard$/);
  const res = await page.goto("/internal/partners");
  expect(res?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "No access" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Partners" })).toHaveCount(0);
});

test("the sign-in form works from the keyboard", async ({ page }) => {
  await page.goto("/login");
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Email")).toBeFocused();
  await page.keyboard.type(accounts.admin);
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Password")).toBeFocused();
  await page.keyboard.type(DEMO_PASSWORD);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/internal$/);
});

test("a partner admin invites a colleague who joins through the emailed link", async ({ page, signIn, signOut }) => {
  const [, slug] = demoPartnerSlugs();
  await signIn(accounts.partnerAdmin(slug));
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Team" }).click();
  await expect(page).toHaveURL(/\/team$/);
  const email = `new.colleague+${Date.now()}@${slug}.demo.test`;
  // The invitation form is its own section: the people table has an edit form per colleague.
  const invite = page.locator('section[aria-labelledby="invite"]');
  await invite.getByLabel("Name").fill("Nora Newcomer");
  await invite.getByLabel("Email").fill(email);
  await invite.getByRole("button", { name: "Send the invitation" }).click();
  await expect(page.getByRole("cell", { name: email, exact: true })).toBeVisible();
  await signOut();

  const mail = await waitForMail((m) => m.to.includes(email));
  expect(mail.subject).toMatch(/invit/i);
  const link = firstLink(mail.text, "/invite/");
  await page.goto(link);
  await page.getByLabel(/^Your name/i).fill("Nora Newcomer");
  // The password policy is checked as the invitee types, before anything is submitted.
  await page.getByLabel(/^Password/).fill("short");
  await page.getByLabel(/^Password/).blur();
  await expect(page.getByText("Use at least 10 characters.")).toBeVisible();
  await page.getByLabel(/^Password/).fill("a-long-new-password");
  await page.getByLabel(/^Confirm/i).fill("a-long-new-password");
  await page.getByRole("button", { name: /create|join|accept/i }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Nora");

  // The link is single-use.
  await signOut();
  const again = await page.goto(link);
  expect(again?.status()).toBe(410);
  await expect(page.getByText(/already been used|no longer valid|expired/i).first()).toBeVisible();
});

test("a bad invitation link gets a clear message", async ({ page }) => {
  const res = await page.goto("/invite/this-is-not-a-token");
  expect(res?.status()).toBe(404);
  await expect(page.getByText(/not valid/i).first()).toBeVisible();
});

test("a user who forgot the password resets it by email", async ({ page, signIn }) => {
  const [, , slug] = demoPartnerSlugs();
  const email = accounts.partnerUser(slug);
  await page.goto("/login");
  await page.getByRole("link", { name: /forgot/i }).click();
  await expect(page.getByRole("heading", { name: "Forgot your password?" })).toBeVisible();
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: /send|reset/i }).click();
  await expect(page.getByText(/if an account exists/i)).toBeVisible();
  const mail = await waitForMail((m) => m.to.includes(email) && /reset/i.test(m.subject));
  await page.goto(firstLink(mail.text, "/reset-password/"));
  await page.getByLabel(/^New password/i).fill("another-long-password");
  await page.getByLabel(/^Confirm/i).fill("another-long-password");
  await page.getByRole("button", { name: /set|reset|save/i }).click();
  await expect(page).toHaveURL(/\/login/);
  await signIn(email, "another-long-password");
  await expect(page).toHaveURL(/\/dashboard$/);
});

test("a company applies to the program and the partner team approves it", async ({ page, signIn }) => {
  const stamp = Date.now();
  await page.goto("/apply");
  await page.getByLabel("Company name").fill(`Ærø Test Partners ${stamp}`);
  await page.getByLabel("Company website").fill(`https://www.aero-${stamp}.example.com/about`);
  await page.getByLabel("Kind of partnership").selectOption("agency");
  await page.getByLabel("Region").selectOption({ index: 1 });
  await page.getByLabel("Your name").fill("Åsa Applicant");
  await page.getByLabel("Your work email").fill(`asa+${stamp}@aero.example.com`);
  await page.getByRole("button", { name: "Send application" }).click();
  await expect(page.getByText(/thank/i).first()).toBeVisible();

  await signIn(accounts.manager);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Applications" }).click();
  await expect(page).toHaveURL(/\/internal\/applications$/);
  const card = page.getByRole("article", { name: `Ærø Test Partners ${stamp}` });
  await card.getByRole("button", { name: "Approve", exact: true }).click();
  await expect(page.getByText(/is now an active partner/)).toBeVisible();
  const mail = await waitForMail((m) => m.to.includes(`asa+${stamp}@aero.example.com`) && /invit/i.test(m.subject));
  expect(mail.text).toContain("/invite/");
});
