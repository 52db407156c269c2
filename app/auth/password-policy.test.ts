import { describe, expect, it } from "vitest";
import { passwordSchema, passwordWeakness, WEAK_PASSWORD } from "./password-policy";

const account = { email: "sam.sales@alpha-resellers.test", name: "Sam Sales", programName: "Acme Partner Program" };

describe("passwordWeakness", () => {
  it("accepts a passphrase of unrelated words, with no composition rules", async () => {
    expect(await passwordWeakness("violet tractor mosaic lantern", account)).toBeNull();
    expect(await passwordWeakness("correct-horse-battery", account)).toBeNull();
  });

  it("refuses common and repetitive passwords", async () => {
    for (const password of ["aaaaaaaaaa", "password123", "qwertyuiop", "1234567890", "iloveyou12"]) {
      expect(await passwordWeakness(password, account), password).toBe(WEAK_PASSWORD.common);
    }
  });

  it("refuses the email, its local part and the name, however they are written", async () => {
    expect(await passwordWeakness("sam.sales@alpha-resellers.test", account)).toBe(WEAK_PASSWORD.email);
    expect(await passwordWeakness("Sam.Sales!2025", account)).toBe(WEAK_PASSWORD.email);
    expect(await passwordWeakness("samsales-xyz", account)).toBe(WEAK_PASSWORD.email);
    expect(await passwordWeakness("SAM SALES 1999", { ...account, email: "s@alpha.test" })).toBe(WEAK_PASSWORD.name);
  });

  it("names the program when the password is built from it", async () => {
    expect(await passwordWeakness("partner portal 2025", account)).toBe(WEAK_PASSWORD.program);
    expect(await passwordWeakness("acme partner program", account)).toBe(WEAK_PASSWORD.program);
  });

  it("keeps the length rule in the schema the browser uses", () => {
    expect(passwordSchema.safeParse("short").success).toBe(false);
    expect(passwordSchema.safeParse("x".repeat(201)).success).toBe(false);
    expect(passwordSchema.safeParse("long enough").success).toBe(true);
  });
});
