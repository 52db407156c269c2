// The e2e suite's one way in: the demo accounts by role, signing in and out as a person does,
// a page already signed in as the partner manager, and a read-only look at the e2e database
// for the facts a spec needs before it starts (which partners the demo generator made).
import { expect, test as base, type Page } from "@playwright/test";
import Database from "better-sqlite3";
import { E2E } from "./playwright.config";

/** The demo seed gives every account this password (the sign-in page says so). */
export const DEMO_PASSWORD = "portal-demo";

/** The demo's accounts: two staff, and an admin and a sales user at every demo partner. */
export const accounts = {
  admin: "admin@demo.test",
  manager: "manager@demo.test",
  partnerAdmin: (slug: string) => `admin@${slug}.demo.test`,
  partnerUser: (slug: string) => `sales@${slug}.demo.test`,
} as const;

/** Fills in and submits the sign-in form; where it lands is for the caller to check. */
export async function submitSignIn(page: Page, email: string, password = DEMO_PASSWORD) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Signs in and waits until the app has taken the person past the sign-in page. */
export async function signIn(page: Page, email: string, password = DEMO_PASSWORD) {
  await submitSignIn(page, email, password);
  await expect(page).not.toHaveURL(/\/login/);
}

export async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
}

/** Runs `read` against the e2e server's database, opened read-only and closed afterwards. */
export function readDemoDatabase<T>(read: (db: Database.Database) => T): T {
  const db = new Database(E2E.databasePath, { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/** The first active demo partners' slugs; each spec that changes an account takes its own. */
export function demoPartnerSlugs(count = 3): string[] {
  return readDemoDatabase((db) =>
    db
      .prepare("select slug from partners where status = 'active' order by id limit ?")
      .all(count)
      .map((r) => (r as { slug: string }).slug),
  );
}

type Fixtures = {
  /** Signs the test's page in as `email` (the demo password unless given). */
  signIn: (email: string, password?: string) => Promise<void>;
  /** Signs the test's page out. */
  signOut: () => Promise<void>;
  /** The test's page, signed in as the demo partner manager. */
  managerPage: Page;
};

/**
 * Every page of every test is watched for Content-Security-Policy violations: Chromium reports
 * each one on the console, and the `securitypolicyviolation` event (in every frame, including
 * srcdoc iframes) reports it again with the directive. A test with any violation fails.
 */
const watchForCspViolations = base.extend({
  context: async ({ context }, use) => {
    const violations: string[] = [];
    await context.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (e) => {
        console.error(`CSP violation: ${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`);
      });
    });
    context.on("console", (message) => {
      const text = message.text();
      if (message.type() === "error" && /Content Security Policy|CSP violation/i.test(text)) {
        violations.push(`${message.page()?.url() ?? "?"}: ${text}`);
      }
    });
    await use(context);
    expect(violations, "Content-Security-Policy violations reported by the browser").toEqual([]);
  },
});

export const test = watchForCspViolations.extend<Fixtures>({
  signIn: async ({ page }, use) => {
    await use((email, password) => signIn(page, email, password));
  },
  signOut: async ({ page }, use) => {
    await use(() => signOut(page));
  },
  managerPage: async ({ page }, use) => {
    await signIn(page, accounts.manager);
    await use(page);
  },
});

export { expect };
