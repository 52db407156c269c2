// Passwords follow NIST SP 800-63B (issue 11, item 11): at least 10 characters, no composition
// rules, and common or context-specific passwords (the user's email or name, the program) are
// refused with a field error that says what to do. Every form that sets a password: accepting
// an invitation, a reset link and the account page. Through real HTTP against the built server.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyPassword } from "../../app/auth/password.server";
import { generateToken, hashToken } from "../../app/auth/tokens.server";
import { actorOf } from "../../app/domain/audit.server";
import { createInvitation } from "../../app/domain/invitations.server";
import { passwordResets, users } from "../../db/schema";
import { TEST_PASSWORD } from "../support/db";
import { Client, startTestServer, type TestServer } from "../support/server";
import { createWorld, type World } from "../support/world";

let server: TestServer;
let world: World;

beforeAll(async () => {
  server = await startTestServer();
  world = await createWorld(server.db);
});
afterAll(() => server.close());

const STRONG = "violet tractor mosaic lantern";
const unescape = (html: string) => html.replace(/&#x27;|&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, "&");

/** Each weak password with what the answer must tell the user, for a user with this email. */
const weak = (email: string) =>
  [
    ["aaaaaaaaaa", /too common or too easy to guess/],
    ["password123", /too common or too easy to guess/],
    [email, /contains your email address/],
  ] as const;

function resetToken(userId: string) {
  const token = generateToken();
  server.db
    .insert(passwordResets)
    .values({ tokenHash: hashToken(token), userId, expiresAt: new Date(Date.now() + 3_600_000), createdAt: new Date() })
    .run();
  return token;
}

const passwordOf = (email: string) =>
  server.db.select({ hash: users.passwordHash }).from(users).where(eq(users.email, email)).get()?.hash ?? null;

describe("a password set through a reset link", () => {
  it("refuses common passwords and the user's email, then accepts a passphrase", async () => {
    const token = resetToken(world.userA.id);
    const client = new Client(server.url);
    for (const [password, message] of weak(world.userA.email)) {
      const res = await client.post(`/reset-password/${token}`, { password, confirmPassword: password });
      expect(res.status, password).toBe(400);
      const html = unescape(await res.text());
      expect(html, password).toMatch(message);
      expect(html).toMatch(/id="[^"]*password-error"/);
      expect(html).not.toContain(`value="${password}"`);
    }
    expect(await verifyPassword(passwordOf(world.userA.email)!, TEST_PASSWORD)).toBe(true);

    const ok = await client.post(`/reset-password/${token}`, { password: STRONG, confirmPassword: STRONG });
    expect(ok.status).toBe(302);
    expect(await verifyPassword(passwordOf(world.userA.email)!, STRONG)).toBe(true);
  });

  it("refuses the user's name and the program's name", async () => {
    const token = resetToken(world.adminB.id);
    const client = new Client(server.url);
    for (const [password, message] of [
      ["Bob Beta 1234", /your name/],
      ["partner portal 2025", /the program/],
    ] as const) {
      const res = await client.post(`/reset-password/${token}`, { password, confirmPassword: password });
      expect(res.status, password).toBe(400);
      expect(unescape(await res.text()), password).toMatch(message);
    }
  });
});

describe("a password chosen when accepting an invitation", () => {
  it("refuses common passwords and the invitee's email, then creates the account with a passphrase", async () => {
    const email = "newcomer@alpha.test";
    const { token } = createInvitation(server.db, {
      email,
      name: "Nina Newcomer",
      role: "partner_user",
      partnerId: world.partnerA.id,
      actor: actorOf(world.adminA),
    });
    const client = new Client(server.url);
    for (const [password, message] of weak(email)) {
      const res = await client.post(`/invite/${token}`, { name: "Nina Newcomer", password, confirmPassword: password });
      expect(res.status, password).toBe(400);
      expect(unescape(await res.text()), password).toMatch(message);
    }
    expect(passwordOf(email)).toBeNull();

    const ok = await client.post(`/invite/${token}`, { name: "Nina Newcomer", password: STRONG, confirmPassword: STRONG });
    expect(ok.status).toBe(302);
    expect(await verifyPassword(passwordOf(email)!, STRONG)).toBe(true);
  });
});

describe("a password changed on the account page", () => {
  it("refuses common passwords and the user's email, then accepts a passphrase", async () => {
    const client = new Client(server.url);
    await client.signIn(world.adminA.email, TEST_PASSWORD);
    for (const [password, message] of weak(world.adminA.email)) {
      const res = await client.post("/account", {
        currentPassword: TEST_PASSWORD,
        newPassword: password,
        confirmPassword: password,
      });
      expect(res.status, password).toBe(400);
      expect(unescape(await res.text()), password).toMatch(message);
    }
    expect(await verifyPassword(passwordOf(world.adminA.email)!, TEST_PASSWORD)).toBe(true);

    const ok = await client.post("/account", { currentPassword: TEST_PASSWORD, newPassword: STRONG, confirmPassword: STRONG });
    expect(ok.status).toBe(302);
    expect(await verifyPassword(passwordOf(world.adminA.email)!, STRONG)).toBe(true);
  });
});
