import { describe, expect, it } from "vitest";
import { emailDomain, foldToAscii, normalizeCompanyName, normalizeDomain, slugify } from "./customers";

describe("normalizeDomain", () => {
  it.each([
    ["acme.com", "acme.com"],
    ["ACME.com", "acme.com"],
    ["  acme.com  ", "acme.com"],
    ["https://www.acme.com", "acme.com"],
    ["http://WWW.Acme.COM/pricing?plan=pro#top", "acme.com"],
    ["https://acme.com:8443/login", "acme.com"],
    ["acme.com:80", "acme.com"],
    ["acme.com.", "acme.com"],
    ["www.acme.co.uk/", "acme.co.uk"],
    ["www2.acme.de", "acme.de"],
    ["//cdn.acme.io/x.js", "cdn.acme.io"],
    ["https://user:secret@sales.acme.com/", "sales.acme.com"],
    ["shop.acme.com.br", "shop.acme.com.br"],
    ["my-company.io", "my-company.io"],
    ["münchen.de", "xn--mnchen-3ya.de"],
    ["https://www.Łódź.pl/o-nas", "xn--d-uga0v4h.pl"],
    ["xn--mnchen-3ya.de", "xn--mnchen-3ya.de"],
  ])("%s → %s", (input, expected) => {
    expect(normalizeDomain(input)).toBe(expected);
  });

  it.each([
    "",
    "   ",
    "localhost",
    "foo",
    "http://localhost:3000/",
    "192.168.1.10",
    "http://127.0.0.1/",
    "[::1]",
    "-acme.com",
    "acme-.com",
    "acme..com",
    "acme.c",
    "acme.123",
    "acme com.com",
    "acme_corp.com",
    "https://",
    ".com",
  ])("rejects %j", (input) => {
    expect(normalizeDomain(input)).toBeNull();
  });

  it("rejects non-strings and over-long names", () => {
    expect(normalizeDomain(null)).toBeNull();
    expect(normalizeDomain(undefined)).toBeNull();
    expect(normalizeDomain(`${"a".repeat(64)}.com`)).toBeNull();
    expect(normalizeDomain(`${"abcdefghi.".repeat(26)}com`)).toBeNull();
  });

  it("makes the Unicode and punycode spellings of one domain equal", () => {
    expect(normalizeDomain("https://www.MÜNCHEN.de")).toBe(normalizeDomain("xn--mnchen-3ya.de"));
  });
});

describe("emailDomain", () => {
  it("takes the normalized part after the last @", () => {
    expect(emailDomain("Jane.Doe@Acme.COM")).toBe("acme.com");
    expect(emailDomain(" sales@www.acme.co.uk ")).toBe("acme.co.uk");
    expect(emailDomain('"odd@local"@acme.io')).toBe("acme.io");
  });

  it("returns null when there is no usable domain", () => {
    expect(emailDomain("jane")).toBeNull();
    expect(emailDomain("@acme.com")).toBeNull();
    expect(emailDomain("jane@localhost")).toBeNull();
    expect(emailDomain("jane@")).toBeNull();
    expect(emailDomain(null)).toBeNull();
  });
});

describe("normalizeCompanyName", () => {
  it.each([
    ["Acme Inc.", "acme"],
    ["ACME, Inc", "acme"],
    ["Acme Corp", "acme"],
    ["Acme Corporation", "acme"],
    ["Acme LLC", "acme"],
    ["The Acme Co., Ltd.", "acme"],
    ["Acme Pty Ltd", "acme"],
    ["Acme GmbH", "acme"],
    ["Acme S.A.", "acme"],
    ["Acme B.V.", "acme"],
    ["Acme plc", "acme"],
    ["Smith & Co", "smith"],
    ["Smith & Sons Ltd", "smith and sons"],
    ["Smith and Sons", "smith and sons"],
    ["Müller & Söhne GmbH", "muller and sohne"],
    ["Łódź Systems Sp.", "lodz systems sp"],
    ["Ærø Partners AS", "aero partners"],
    ["O'Brien   Consulting", "obrien consulting"],
    ["Bright-Water  Logistics", "bright water logistics"],
    ["  Northwind   Traders  ", "northwind traders"],
  ])("%s → %s", (input, expected) => {
    expect(normalizeCompanyName(input)).toBe(expected);
  });

  it("keeps legal words that are not at the end, and a name that is only a legal word", () => {
    expect(normalizeCompanyName("Co-op Bank Ltd")).toBe("co op bank");
    expect(normalizeCompanyName("Company")).toBe("company");
    expect(normalizeCompanyName("The Company Inc")).toBe("company");
    expect(normalizeCompanyName("The")).toBe("the");
  });

  it("maps different spellings of one company to one key", () => {
    const a = normalizeCompanyName("Brightwater Logistics, Inc.");
    expect(normalizeCompanyName("BRIGHTWATER LOGISTICS LLC")).toBe(a);
    expect(normalizeCompanyName("Brightwater Logistics")).toBe(a);
  });

  it("is empty for names without letters or digits", () => {
    expect(normalizeCompanyName("")).toBe("");
    expect(normalizeCompanyName(" — ")).toBe("");
  });
});

describe("slugify and foldToAscii", () => {
  it("spells non-ASCII company names in ASCII", () => {
    expect(foldToAscii("Łódź Ærø Straße Øresund Crème")).toBe("Lodz Aero Strasse Oresund Creme");
    expect(slugify("Łódź Systems")).toBe("lodz-systems");
    expect(slugify("Ærø Partners")).toBe("aero-partners");
    expect(slugify("Müller & Söhne IT")).toBe("muller-and-sohne-it");
    expect(slugify("São Paulo Cloud Works")).toBe("sao-paulo-cloud-works");
    expect(slugify("  O'Neil -- Digital!  ")).toBe("oneil-digital");
  });
});
