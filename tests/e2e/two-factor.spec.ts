// Two-factor sign-in as a person does it: enrol on the account page by scanning (here: reading)
// the key, sign out, sign in with a code from the app, then with a recovery code; finally turn it
// off again with the password so the demo account is as it was.
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { generateHOTP } from "@oslojs/otp";
import { accounts, DEMO_PASSWORD, demoPartnerSlugs, expect, submitSignIn, test } from "./fixtures";

/** The authenticator app: the code for now plus `offset` 30-second steps. */
const codeFor = (key: Uint8Array, offset = 0) => generateHOTP(key, BigInt(Math.floor(Date.now() / 30_000) + offset), 6);

test("enrol, then sign in with an authenticator code and with a recovery code", async ({ page, signIn, signOut }) => {
  // The fourth partner's salesperson: foundation.spec resets the third one's password.
  const email = accounts.partnerUser(demoPartnerSlugs(4)[3]!);
  await signIn(email);

  await page.goto("/account");
  await expect(page.getByRole("heading", { name: /Two-factor sign-in/ })).toContainText("Off");
  await page.getByRole("link", { name: "Set up two-factor sign-in" }).click();
  await expect(page).toHaveURL(/\/account\/two-factor$/);
  await page.getByRole("button", { name: "Set up two-factor sign-in" }).click();

  await expect(page.getByRole("img", { name: /QR code of your two-factor key/ })).toBeVisible();
  const manualKey = (await page.getByTestId("manual-key").innerText()).replace(/\s/g, "");
  expect(manualKey).toMatch(/^[A-Z2-7]{32}$/);
  const key = decodeBase32IgnorePadding(manualKey);

  // Keyboard only: the code field is labelled and the form submits with Enter.
  const codeField = page.getByLabel("Code from the app");
  await codeField.focus();
  await codeField.fill("12345");
  await codeField.press("Enter");
  await expect(page.getByText("Enter the 6 digits your authenticator app shows")).toBeVisible();
  await codeField.fill(codeFor(key));
  await page.getByRole("button", { name: "Turn on two-factor sign-in" }).click();

  const codes = page.getByTestId("recovery-code");
  await expect(codes).toHaveCount(10);
  await expect(page.getByRole("region", { name: "Your recovery codes" })).toBeFocused();
  const recoveryCodes = await codes.allInnerTexts();
  await expect(page.getByRole("heading", { name: /On since/ })).toBeVisible();

  await signOut();
  await submitSignIn(page, email);
  await expect(page).toHaveURL(/\/login\/two-factor$/);
  // The next step's code: the one that confirmed the set-up may not be used again.
  await page.getByLabel("Authentication code").fill(codeFor(key, 1));
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);

  await signOut();
  await submitSignIn(page, email);
  await expect(page).toHaveURL(/\/login\/two-factor$/);
  await page.getByLabel("Authentication code").fill(recoveryCodes[0]);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);

  await page.goto("/account/two-factor");
  await expect(page.getByText("9 recovery codes are left.")).toBeVisible();
  const turnOff = page.getByRole("region", { name: "Turn off" });
  await turnOff.getByLabel("Your password").fill(DEMO_PASSWORD);
  await turnOff.getByRole("button", { name: "Turn off two-factor sign-in" }).click();
  await expect(page.getByRole("status")).toContainText("Two-factor sign-in is off.");
});
