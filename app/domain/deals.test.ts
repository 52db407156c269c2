// The pure rules and words of deal registration.
import { describe, expect, it } from "vitest";
import { JOURNEY_STAGES, PILLARS, TOUCH_KINDS } from "../../db/schema";
import {
  closedAtFromDate,
  dealFiltersFromSearch,
  existingCustomerSince,
  isClosable,
  JOURNEY_STAGE_LABELS,
  PILLAR_LABELS,
  TOUCH_KIND_LABELS,
} from "./deals";

describe("dealFiltersFromSearch", () => {
  it("keeps valid filters and drops what is not", () => {
    expect(
      dealFiltersFromSearch(new URLSearchParams("stage=approved&from=2030-01-01&to=2030-12-31&q=%20acme%20&page=3")),
    ).toEqual({ stage: "approved", from: "2030-01-01", to: "2030-12-31", q: "acme", page: 3 });
    expect(
      dealFiltersFromSearch(new URLSearchParams("stage=bogus&from=2030-02-30&to=yesterday&q=&page=-1")),
    ).toEqual({});
    expect(dealFiltersFromSearch(new URLSearchParams("page=1.5"))).toEqual({});
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
