// Company identity: the normalized forms used to tell whether two registrations are about the
// same customer (domain, company name, contact email domain) and the ASCII slugs of company
// names. Pure functions, safe in the browser and on the server.

/** Letters that Unicode decomposition (NFKD) does not reduce to ASCII on its own. */
const ASCII_FOLDS: Record<string, string> = {
  ł: "l",
  Ł: "L",
  ø: "o",
  Ø: "O",
  æ: "ae",
  Æ: "Ae",
  œ: "oe",
  Œ: "Oe",
  ß: "ss",
  đ: "d",
  Đ: "D",
  ð: "d",
  Ð: "D",
  þ: "th",
  Þ: "Th",
  ı: "i",
};

/** "Łódź Ærø" → "Lodz Aero": diacritics dropped, special letters spelled out. */
export function foldToAscii(input: string): string {
  if (!/[^\x00-\x7f]/.test(input)) return input; // the common case, and NFKD is not cheap
  return input
    .replace(/[łŁøØæÆœŒßđĐðÐþÞı]/g, (c) => ASCII_FOLDS[c] ?? c)
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "");
}

/** "Łódź Systems" → "lodz-systems": a-z, 0-9 and single dashes, for URLs and emails. */
export function slugify(name: string): string {
  return foldToAscii(name)
    .toLowerCase()
    .replace(/&/g, " and ")
    .replace(/['’]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
// A public top-level domain is letters only (or an IDN in punycode), never all digits.
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/**
 * The customer identity used for conflict detection: "https://WWW.Acme.com:443/pricing?x=1"
 * → "acme.com". Returns null for anything that is not a plausible public domain (no dot,
 * "localhost", IP addresses, bad characters). Internationalized names come back in punycode
 * so that the Unicode and the xn-- spelling of one domain compare equal.
 */
export function normalizeDomain(input: string | null | undefined): string | null {
  if (typeof input !== "string") return null;
  let host = input.trim().toLowerCase();
  if (!host) return null;
  host = host.replace(/^[a-z][a-z0-9+.-]*:\/\//, ""); // scheme
  host = host.replace(/^\/\//, ""); // protocol-relative
  host = host.split(/[/?#\\]/, 1)[0]!; // path, query, fragment
  host = host.slice(host.lastIndexOf("@") + 1); // userinfo
  host = host.replace(/:\d*$/, ""); // port
  host = host.replace(/\.+$/, ""); // the root label's trailing dot
  if (!host || /\s/.test(host)) return null;

  // Let the WHATWG URL parser do IDNA (Unicode → punycode) and reject forbidden characters.
  if (/[^\x00-\x7f]/.test(host)) {
    try {
      host = new URL(`http://${host}/`).hostname;
    } catch {
      return null;
    }
  }
  host = host.replace(/^www\d*\./, "");

  if (host.length > 253) return null;
  const labels = host.split(".");
  if (labels.length < 2) return null;
  if (!labels.every((l) => LABEL.test(l))) return null;
  if (!TLD.test(labels[labels.length - 1]!)) return null;
  return host;
}

/** The normalized domain of an email address, or null when it has none worth comparing. */
export function emailDomain(email: string | null | undefined): string | null {
  if (typeof email !== "string") return null;
  const at = email.trim().lastIndexOf("@");
  if (at <= 0) return null;
  return normalizeDomain(email.trim().slice(at + 1));
}

// Legal-form words that say nothing about which company it is. Only stripped at the end of
// the name ("Co-op Bank Ltd" keeps "co"), repeatedly ("Acme Co., Ltd." → "acme").
const LEGAL_SUFFIXES = new Set([
  "inc",
  "incorporated",
  "llc",
  "llp",
  "lp",
  "ltd",
  "limited",
  "gmbh",
  "mbh",
  "ag",
  "kg",
  "sa",
  "sas",
  "sarl",
  "srl",
  "spa",
  "bv",
  "nv",
  "corp",
  "corporation",
  "co",
  "company",
  "plc",
  "pty",
  "pvt",
  "pte",
  "oy",
  "ab",
  "as",
  "aps",
  "kk",
  "sl",
  "sro",
  "ltda",
]);

/**
 * "The Acme Co., Ltd." → "acme"; "Müller & Söhne GmbH" → "muller and sohne". Lower-case ASCII
 * words separated by single spaces, for near-duplicate detection across registrations.
 */
export function normalizeCompanyName(name: string): string {
  const words = foldToAscii(name)
    .toLowerCase()
    .replace(/&/g, " and ")
    // Dots and apostrophes join ("S.A." → "sa", "O'Brien" → "obrien"); other marks separate.
    .replace(/[.'’]/g, "")
    .replace(/[^a-z0-9]+/g, " ")
    .trim()
    .split(" ")
    .filter(Boolean);

  if (words.length > 1 && words[0] === "the") words.shift();
  while (words.length > 1 && LEGAL_SUFFIXES.has(words[words.length - 1]!)) {
    words.pop();
    // "Smith & Co" leaves a dangling "and".
    if (words.length > 1 && words[words.length - 1] === "and") words.pop();
  }
  return words.join(" ");
}
