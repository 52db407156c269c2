import { describe, expect, it } from "vitest";
import {
  addMonths,
  calendarWindow,
  InvalidPeriodError,
  isPeriod,
  isQuarter,
  lastCompletedPeriod,
  monthsEndingWith,
  monthsIn,
  periodEnd,
  periodLabel,
  periodOf,
  periodStart,
  quarterLabel,
  quarterOf,
  shortMonthLabel,
  shortPeriodLabel,
} from "./periods";

describe("months", () => {
  it("accepts only YYYY-MM with a real month", () => {
    expect(["2026-01", "2026-12", "1999-09"].every(isPeriod)).toBe(true);
    expect(["2026-00", "2026-13", "2026-1", "26-01", "2026-01-01", " 2026-01", ""].some(isPeriod)).toBe(false);
  });

  it("starts and ends in UTC, the end being the next month's first instant", () => {
    expect(periodStart("2026-02").toISOString()).toBe("2026-02-01T00:00:00.000Z");
    expect(periodEnd("2026-02").toISOString()).toBe("2026-03-01T00:00:00.000Z");
    expect(periodEnd("2026-12").toISOString()).toBe("2027-01-01T00:00:00.000Z");
  });

  it("finds the month of an instant, given as a Date or epoch milliseconds", () => {
    expect(periodOf(new Date("2026-03-31T23:59:59.999Z"))).toBe("2026-03");
    expect(periodOf(Date.parse("2026-04-01T00:00:00Z"))).toBe("2026-04");
  });

  it("adds months across year boundaries both ways", () => {
    expect(addMonths("2026-11", 2)).toBe("2027-01");
    expect(addMonths("2026-01", -1)).toBe("2025-12");
    expect(addMonths("2026-05", -24)).toBe("2024-05");
    expect(addMonths("2026-05", 0)).toBe("2026-05");
  });

  it("the last completed month is the one before the current month", () => {
    expect(lastCompletedPeriod(new Date("2025-07-01T00:30:00Z"))).toBe("2025-06");
    expect(lastCompletedPeriod(new Date("2025-01-01T00:30:00Z"))).toBe("2024-12");
  });

  it("refuses a malformed month with a message that says how to write it", () => {
    expect(() => periodStart("2026-13")).toThrow(InvalidPeriodError);
    expect(() => addMonths("October", 1)).toThrow(/write it as YYYY-MM/);
  });

  it("labels months long and short", () => {
    expect(periodLabel("2026-09")).toBe("September 2026");
    expect(shortPeriodLabel("2026-09")).toBe("Sep 2026");
    expect(shortMonthLabel("2026-09")).toBe("Sep");
    // The long label matches what Intl writes in British English, which the PDFs used before.
    for (let m = 1; m <= 12; m++) {
      const p = `2026-${String(m).padStart(2, "0")}`;
      const intl = periodStart(p).toLocaleDateString("en-GB", { month: "long", year: "numeric", timeZone: "UTC" });
      expect(periodLabel(p)).toBe(intl);
    }
  });
});

describe("quarters and windows", () => {
  it("names the quarter of an instant", () => {
    expect(quarterOf(new Date("2026-03-31T23:59:59Z"))).toBe("2026-Q1");
    expect(quarterOf(new Date("2026-10-01T00:00:00Z"))).toBe("2026-Q4");
    expect(isQuarter("2026-Q4")).toBe(true);
    expect(isQuarter("2026-q4")).toBe(false);
    expect(quarterLabel("2026-Q4")).toBe("Q4 2026");
  });

  it("gives a month's or a quarter's [from, to) window", () => {
    expect(calendarWindow("2026-02")).toEqual({ from: new Date("2026-02-01T00:00:00Z"), to: new Date("2026-03-01T00:00:00Z") });
    expect(calendarWindow("2026-Q4")).toEqual({ from: new Date("2026-10-01T00:00:00Z"), to: new Date("2027-01-01T00:00:00Z") });
  });

  it("lists the months a window touches, partial ones included", () => {
    expect(monthsIn({ from: new Date("2025-11-15T00:00:00Z"), to: new Date("2026-02-01T00:00:00Z") })).toEqual([
      "2025-11",
      "2025-12",
      "2026-01",
    ]);
    expect(monthsIn({ from: new Date("2026-01-01T00:00:00Z"), to: new Date("2026-01-01T00:00:01Z") })).toEqual(["2026-01"]);
    expect(monthsEndingWith("2026-02", 3)).toEqual(["2025-12", "2026-01", "2026-02"]);
  });
});
