// The pure rules and words of deal registration.
import { describe, expect, it } from "vitest";
import { JOURNEY_STAGES, PILLARS, TOUCH_KINDS } from "../../db/schema";
import {
  closedAtFromDate,
  dealFilterErrorText,
  existingCustomerSince,
  isClosable,
  JOURNEY_STAGE_LABELS,
  parseDealFilters,
  PILLAR_LABELS,
  staffCustomerLabel,
  TOUCH_KIND_LABELS,
} from "./deals";

describe("parseDealFilters", () => {
  const parse = (q: string) => parseDealFilters(new URLSearchParams(q));

  it("keeps valid filters; empty values are no filter", () => {
    expect(parse("stage=approved&from=2030-01-01&to=2030-12-31&q=%20acme%20")).toEqual({
      filters: { stage: "approved", from: "2030-01-01", to: "2030-12-31", q: "acme" },
      errors: {},
    });
    expect(parse("stage=&from=&to=&q=")).toEqual({ filters: {}, errors: {} });
    // The list's place (a keyset cursor, or an old page number) is not a filter.
    expect(parse("page=2&after=abc")).toEqual({ filters: {}, errors: {} });
    expect(parse("from=2028-02-29&to=2028-02-29").filters).toEqual({ from: "2028-02-29", to: "2028-02-29" });
  });

  it("explains every value that is not valid and leaves it out", () => {
    for (const bad of ["0000-00-00", "2026-99-99", "2030-02-30", "2027-02-29", "2026-13-01", "2026-1-1", "yesterday", "1899-12-31"]) {
      const { filters, errors } = parse(`from=${bad}&to=${bad}`);
      expect(filters, bad).toEqual({});
      expect(errors.from, bad).toMatch(/is not a date: use a real day as YYYY-MM-DD/);
      expect(errors.to, bad).toMatch(/is not a date/);
    }
    const { filters, errors } = parse("stage=bogus&q=acme");
    expect(filters).toEqual({ q: "acme" });
    expect(errors.stage).toMatch(/"bogus" is not a stage: choose one of submitted, approved/);
  });

  it("refuses an end date before the start date", () => {
    const { filters, errors } = parse("from=2030-05-02&to=2030-05-01");
    expect(filters).toEqual({ from: "2030-05-02" });
    expect(errors.to).toMatch(/before the start date 2030-05-02/);
  });

  it("quotes a long bad value only in part, and names the fields in the export's text", () => {
    const { errors } = parse(`from=${"9".repeat(500)}`);
    expect(errors.from!.length).toBeLessThan(120);
    expect(dealFilterErrorText(parse("from=0000-00-00&to=2026-99-99").errors)).toBe(
      'Submitted from: "0000-00-00" is not a date: use a real day as YYYY-MM-DD, e.g. 2026-03-31.\n' +
        'Submitted to: "2026-99-99" is not a date: use a real day as YYYY-MM-DD, e.g. 2026-03-31.',
    );
  });
});

describe("staffCustomerLabel", () => {
  it("shows the record and, when it differs, the typed name, labelled", () => {
    expect(staffCustomerLabel("Acme", "Acme")).toBe("Acme");
    expect(staffCustomerLabel("Acme", "")).toBe("Acme");
    expect(staffCustomerLabel("Acme Inc", "ACME Rockets")).toBe("Customer record: Acme Inc · typed by partner: ACME Rockets");
  });
});

describe("closedAtFromDate", () => {
  it("is the end of that UTC day, or now when the day is today", () => {
    const now = new Date("2030-05-10T09:30:00Z");
    expect(closedAtFromDate("2030-05-08", now)).toEqual(new Date("2030-05-08T23:59:59.999Z"));
    expect(closedAtFromDate("2030-05-10", now)).toEqual(now);
  });
});

describe("isClosable", () => {
  it("lets approved deals and unapproved direct deals close, nothing else", () => {
    expect(isClosable({ stage: "approved", partnerId: 1 })).toBe(true);
    expect(isClosable({ stage: "approved", partnerId: null })).toBe(true);
    expect(isClosable({ stage: "submitted", partnerId: null })).toBe(true);
    expect(isClosable({ stage: "submitted", partnerId: 1 })).toBe(false);
    for (const stage of ["rejected", "won", "lost", "expired"] as const) {
      expect(isClosable({ stage, partnerId: 1 })).toBe(false);
    }
  });
});

describe("existingCustomerSince", () => {
  it("reaches back twelve average months", () => {
    const now = new Date("2030-05-10T00:00:00Z");
    expect(existingCustomerSince(now)).toEqual(new Date(now.getTime() - 365.25 * 86_400_000));
  });
});

describe("touch labels", () => {
  it("name every kind, pillar and journey stage of the schema", () => {
    expect(Object.keys(TOUCH_KIND_LABELS).sort()).toEqual([...TOUCH_KINDS].sort());
    expect(Object.keys(PILLAR_LABELS).sort()).toEqual([...PILLARS].sort());
    expect(Object.keys(JOURNEY_STAGE_LABELS).sort()).toEqual([...JOURNEY_STAGES].sort());
    expect(TOUCH_KIND_LABELS.co_sell_meeting).toBe("Co-sell meeting");
  });
});
