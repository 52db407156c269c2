import { describe, expect, it } from "vitest";
import { centsToDecimal, MAX_AMOUNT_CENTS, parseAmountToCents } from "./products";

describe("parseAmountToCents", () => {
  it.each([
    ["1", 100],
    ["0.01", 1],
    ["12.5", 1250],
    ["12.50", 1250],
    ["12.", 1200],
    [".5", 50],
    ["0019.99", 1999],
    ["12,500.50", 1_250_050],
    ["1,000,000", 100_000_000],
    ["1 000 000.10", 100_000_010],
    ["$ 2,000", 200_000],
    ["€99.99", 9999],
    ["  4.10 ", 410],
    // Float math would get these wrong (0.29 * 100 = 28.999999999999996).
    ["0.29", 29],
    ["1.15", 115],
    ["4.35", 435],
    ["9999999999.99", 999_999_999_999],
  ])("%j is %d cents", (input, cents) => {
    expect(parseAmountToCents(input)).toEqual({ ok: true, cents });
  });

  it.each([
    ["", "empty"],
    ["   ", "empty"],
    [".", "format"],
    ["abc", "format"],
    ["-5", "format"],
    ["+5", "format"],
    ["1e3", "format"],
    ["1,00", "format"],
    ["12,50", "format"],
    ["1.2.3", "format"],
    ["0x10", "format"],
    ["1.005", "decimals"],
    ["0.001", "decimals"],
    ["0", "zero"],
    ["0.00", "zero"],
    ["10000000000.01", "too_large"],
    ["99999999999999999999", "too_large"],
  ])("%j is refused (%s)", (input, reason) => {
    expect(parseAmountToCents(input)).toEqual({ ok: false, reason });
  });

  it("accepts the maximum exactly", () => {
    expect(parseAmountToCents(centsToDecimal(MAX_AMOUNT_CENTS))).toEqual({ ok: true, cents: MAX_AMOUNT_CENTS });
  });
});

describe("centsToDecimal", () => {
  it.each([
    [0, "0.00"],
    [1, "0.01"],
    [29, "0.29"],
    [1250, "12.50"],
    [1_250_050, "12500.50"],
    [-305, "-3.05"],
  ])("%d → %s", (cents, text) => {
    expect(centsToDecimal(cents)).toBe(text);
  });

  it("refuses a fractional number of cents", () => {
    expect(() => centsToDecimal(1.5)).toThrow(RangeError);
  });

  it("round-trips with parseAmountToCents", () => {
    for (const cents of [1, 99, 100, 101, 123_456_789, 999_999_999_999]) {
      expect(parseAmountToCents(centsToDecimal(cents))).toEqual({ ok: true, cents });
    }
  });
});
