// The password policy, NIST SP 800-63B style: 10 to 200 characters, no composition rules, and
// no password that is common or built from what a guesser knows about the account (its email
// and the parts of it, the user's name, the program's name). Browser-safe, one module for both
// sides: the zod schema checks the length as the user types; the strength check
// (`passwordWeakness`) runs on the server when a password is set, and its answer comes back as
// the field's error. The zxcvbn dictionaries are megabytes, so they are imported on first use
// and never shipped to a browser that does not call it.
import type { ZxcvbnFactory } from "@zxcvbn-ts/core";
import { z } from "zod";

export const passwordSchema = z
  .string({ required_error: "Enter a password." })
  .min(10, "Use at least 10 characters.")
  .max(200, "Use at most 200 characters.");

export const PASSWORD_HINT =
  "At least 10 characters, not a common password and nothing from your name or email. Three or four unrelated words make a strong one.";

export const WEAK_PASSWORD = {
  common:
    "This password is too common or too easy to guess. Use three or four unrelated words, or let a password manager make one.",
  email: "This password contains your email address. Choose one that has nothing to do with your email.",
  name: "This password contains your name. Choose one that has nothing to do with your name.",
  program:
    "This password is built from the name of the program or this portal, which guessers try first. Choose unrelated words.",
} as const;

/** What the strength check knows about the account the password is for. */
export type PasswordContext = { email: string; name?: string | null; programName?: string | null };

/** zxcvbn's score from 0 to 4; 3 is "safely unguessable" against an online or throttled attack. */
const MIN_SCORE = 3;
/** zxcvbn's matching grows quickly with length; what follows is not needed to judge it. */
const CHECKED_LENGTH = 100;
const PORTAL_WORDS = ["partner portal", "partnerportal", "partner program", "partner-portal"];

let estimator: Promise<ZxcvbnFactory> | undefined;
function loadEstimator() {
  estimator ??= Promise.all([
    import("@zxcvbn-ts/core"),
    import("@zxcvbn-ts/language-common"),
    import("@zxcvbn-ts/language-en"),
  ]).then(
    ([core, common, en]) =>
      new core.ZxcvbnFactory({
        dictionary: { ...common.dictionary, ...en.dictionary },
        graphs: common.adjacencyGraphs,
        translations: en.translations,
      }),
  );
  return estimator;
}

const letters = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");
const words = (s: string) => s.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 3);

/** Null when the password may be used; otherwise what to do instead, for the field's error. */
export async function passwordWeakness(password: string, context: PasswordContext): Promise<string | null> {
  const email = context.email.trim().toLowerCase();
  const local = email.split("@")[0] ?? "";
  const typed = letters(password);
  if (password.toLowerCase().includes(email) || (letters(local).length >= 4 && typed.includes(letters(local)))) {
    return WEAK_PASSWORD.email;
  }
  const name = context.name?.trim() ?? "";
  if (letters(name).length >= 4 && typed.includes(letters(name))) return WEAK_PASSWORD.name;

  const sources: [keyof typeof WEAK_PASSWORD, string[]][] = [
    ["email", [email, local, ...words(email)]],
    ["name", [name, ...words(name)]],
    ["program", [...PORTAL_WORDS, "portal", "partner", ...(context.programName ? [context.programName, ...words(context.programName)] : [])]],
  ];
  const userInputs = [...new Set(sources.flatMap(([, inputs]) => inputs).filter(Boolean))];
  const result = (await loadEstimator()).check(password.slice(0, CHECKED_LENGTH), userInputs);
  if (result.score >= MIN_SCORE) return null;
  // Name what the password was built from, when zxcvbn found it among the account's own words.
  for (const match of result.sequence) {
    if (match.pattern !== "dictionary" || match.dictionaryName !== "userInputs") continue;
    const word = String(match.matchedWord).toLowerCase();
    const source = sources.find(([, inputs]) => inputs.some((input) => input.toLowerCase() === word));
    if (source) return WEAK_PASSWORD[source[0]];
  }
  return WEAK_PASSWORD.common;
}
