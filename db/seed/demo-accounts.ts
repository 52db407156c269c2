// The demo program's sign-ins and sizes: the one password every demo account shares, the staff
// accounts, and the logins docs and end-to-end tests use. Kept apart from the generator so the
// server (which seeds an empty demo database) and the tests can name them without loading it.

export const DEMO_PASSWORD = "portal-demo";
/** argon2id of DEMO_PASSWORD, made once with hashPassword (so the server can seed synchronously). */
export const DEMO_PASSWORD_HASH =
  "$argon2id$v=19$m=19456,t=2,p=1$DS3kc1ml9mv83QhPWKTbnQ$/4I3X1dfnBupa+d1sAwQdtJxKOLZe/Mwbt1u39R103U";
export const DEMO_DEFAULTS = { seed: 1, partners: 60, deals: 6000, months: 24 } as const;

/**
 * Sign-ins that exist in the default demo (seed 1), for docs and end-to-end tests: partner
 * names depend only on the seed, not on the date. Two partners, to test tenancy.
 */
export const DEMO_LOGINS = {
  admin: "admin@demo.test",
  manager: "manager@demo.test",
  partnerAdmin: "admin@coralshore-it.demo.test",
  partnerUser: "sales@coralshore-it.demo.test",
  otherPartnerAdmin: "admin@bluefield-advisors.demo.test",
} as const;

export const STAFF = [
  { email: "admin@demo.test", name: "Ada Admin", role: "admin" },
  { email: "manager@demo.test", name: "Morgan Manager", role: "partner_manager" },
  { email: "manager2@demo.test", name: "Priya Raman", role: "partner_manager" },
  { email: "manager3@demo.test", name: "Lukas Becker", role: "partner_manager" },
] as const;
