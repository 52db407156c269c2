// The demo-program generator: a whole partner program (staff, partners and their users,
// customers, deals in every stage, touches, customer MRR, tiers, pending applications) that
// looks like a real B2B channel — heavy-tailed partner revenue, a third of deals direct,
// coherent timelines — and is identical for a given seed and as-of date.
//
// It is also the load generator for big databases (10,000 partners, 1,000,000 deals), so it
// computes everything in memory in one pass over time-ordered deals (typed arrays, no ORM) and
// writes with prepared statements in large transactions.
import { sql } from "drizzle-orm";
import type { DB } from "../../app/db.server";
import { trailing12Months } from "../../app/domain/attribution.server";
import { rebuildRollups } from "../../app/domain/rollups.server";
import { foldToAscii, normalizeCompanyName, slugify } from "../../app/domain/customers";
import { PRODUCT_LINES } from "../../app/domain/products";
import { qualifyingTier } from "../../app/domain/tiers";
import { ensureDefaultProgram, PILLAR_OF_TOUCH_KIND } from "../factories";
import {
  PILLARS,
  REGIONS,
  TOUCH_KINDS,
  partners as partnersTable,
  type DealStage,
  type PartnerKind,
} from "../schema";

export type GenerateOptions = {
  seed: number;
  partners: number;
  deals: number;
  /** How far back deals go; default 24. */
  months?: number;
  /** "Today" for the data; default today at 00:00 UTC. */
  asOf?: Date;
  /** One argon2 hash shared by every generated user (hashing is slow on purpose). */
  passwordHash: string;
  /** Rows written so far out of all rows to write. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Load without secondary indexes and foreign-key checks, rebuilding the indexes at the end.
   * Default: on for big loads (over 250,000 rows) into a database that has no deals yet.
   */
  bulkLoad?: boolean;
};

export type GenerateSummary = {
  partners: number;
  users: number;
  customers: number;
  deals: number;
  dealsByStage: Record<DealStage, number>;
  touches: number;
  mrrRows: number;
  applications: number;
  partnersByTier: Record<string, number>;
};

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

const DAY = 86_400_000;
const HOUR = 3_600_000;
const STAGES: readonly DealStage[] = ["submitted", "approved", "rejected", "won", "lost", "expired"];
const [SUBMITTED, APPROVED, REJECTED, WON, LOST, EXPIRED] = [0, 1, 2, 3, 4, 5];

// ---------------------------------------------------------------------------------------------
// Randomness: a seeded PRNG (mulberry32), one independent stream per concern, so changing the
// number of deals does not rename the partners.

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = ReturnType<typeof mulberry32>;

function stream(seed: number, name: string): Rng {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const c of name) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return mulberry32(h);
}

const pick = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)]!;

function weighted<T>(rng: Rng, choices: readonly (readonly [T, number])[]): T {
  let r = rng() * choices.reduce((s, [, w]) => s + w, 0);
  for (const [value, w] of choices) if ((r -= w) < 0) return value;
  return choices[choices.length - 1]![0];
}

function normal(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/** Log-normal with the given median, clamped: deal sizes, cycle times, review delays. */
function logNormal(rng: Rng, median: number, sigma: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, median * Math.exp(sigma * normal(rng))));
}

function shuffle<T>(rng: Rng, list: T[]): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}

// ---------------------------------------------------------------------------------------------
// Words for names. Partner names are "<Prefix><core> <Suffix>" with the suffix fitting the
// kind; customers are "<A><b> <Industry>" with a legal form that fits the country of the TLD.

const PARTNER_PREFIX =
  "Blue North Iron Silver Bright Clear Summit Harbor Cedar Granite Red Stone Swift True Pine Oak Maple River Lake Crest Sky Star Sun Wind Fox Wolf Hawk Eagle Falcon Raven Orca Polar Arctic Coral Amber Jade Onyx Cobalt Copper Golden Quantum Vector Apex Zenith Nova Atlas Orbit Pixel Signal Beacon Bridge Keystone Lighthouse Meridian Pioneer Frontier Horizon Evergreen Redwood Ashford Kings Trident Lumen Helix Vertex Nimbus Tidal Cinder Sable Ember Alder".split(
    " "
  );
const PARTNER_CORE = [
  "",
  "",
  "",
  "point",
  "line",
  "gate",
  "field",
  "path",
  "wave",
  "light",
  "works",
  "forge",
  "stack",
  "bay",
  "ridge",
  "rock",
  "brook",
  "well",
  "mark",
  "wise",
  "craft",
  "logic",
  "base",
  "peak",
  "view",
  "port",
  "shore",
  "spring",
  "vale",
  "wood",
];
const PARTNER_SUFFIX: Record<PartnerKind, readonly string[]> = {
  reseller: [
    "Systems",
    "IT",
    "Solutions",
    "Networks",
    "Cloud",
    "Technology Group",
    "Computing",
    "Distribution",
  ],
  referral: ["Advisors", "Partners", "Consulting", "Associates", "Advisory", "Consultants"],
  agency: ["Digital", "Studio", "Media", "Marketing", "Interactive", "Creative"],
  affiliate: ["Media", "Ventures", "Commerce", "Reviews", "Network", "Publishing"],
  technology: ["Labs", "Software", "Technologies", "Data", "Analytics", "Dev"],
  strategic: ["Group", "Consulting Group", "Global", "Holdings", "Solutions Group", "International"],
};
/** Non-ASCII names at fixed positions, so slugs and emails of every demo are exercised. */
const SPECIAL_PARTNERS: readonly { at: number; name: string; region: (typeof REGIONS)[number] }[] = [
  { at: 2, name: "Łódź Systems", region: "EMEA" },
  { at: 7, name: "Ærø Partners", region: "EMEA" },
  { at: 12, name: "Müller & Söhne IT", region: "EMEA" },
  { at: 17, name: "São Paulo Cloud Works", region: "Latin America" },
  { at: 23, name: "Zürich Data Collective", region: "EMEA" },
  { at: 31, name: "Crème Digital", region: "North America" },
  { at: 41, name: "Nørrebro Analytics", region: "EMEA" },
  { at: 53, name: "Città Studio", region: "EMEA" },
];

const CUSTOMER_A =
  "Alder Amber Anchor Apple Arbor Ash Aspen Atlas Aurora Autumn Bay Beacon Bear Beech Bell Birch Black Blue Bold Boulder Bramble Bright Brook Canyon Cardinal Castle Cedar Chestnut Clear Cliff Cloud Clover Coast Copper Coral Crane Creek Crown Crystal Cypress Dawn Deer Delta Diamond Dove Dragon Eagle East Echo Elm Ember Emerald Fair Falcon Fern Field Fir Flint Forest Fox Frost Garden Glen Gold Granite Grand Green Grey Harbor Hart Hazel Heather High Hill Holly Horizon Iron Ivy Jasper Juniper King Lake Laurel Lark Lime Linden Lion Long Maple Marble Meadow Mill Mint Moon Moss Mountain North Oak Ocean Olive Orchard Otter Palm Park Pearl Pebble Pine Plum Prairie Quarry Queen Rain Raven Red Reed Ridge River Robin Rock Rose Ruby Sage Salt Sand Sea Shadow Silver Sky Snow South Spring Spruce Star Steel Stone Storm Summer Sun Swan Thistle Thunder Tide Timber Tower Valley Violet West White Willow Wind Winter Wolf Wood Yew".split(
    " "
  );
const CUSTOMER_B =
  "bridge brook crest dale field ford gate hall haven hill hurst land light line mark mere mont moor point port ridge rock shire side stead stone ton vale view water well wick wood worth bay berry bury by cliff cott cove croft den fall fell garth glen grove ham holm horn lake leigh ley lock lyn more mouth peak pool reach run shaw spring star thorn top town wall way".split(
    " "
  );
const INDUSTRIES =
  "Logistics|Health|Foods|Bank|Insurance|Energy|Retail|Robotics|Media|Pharma|Motors|Airlines|Hotels|Realty|Apparel|Manufacturing|Biotech|Telecom|Capital|Credit Union|Freight|Marine|Mining|Utilities|Outdoors|Furniture|Dental|Clinics|Education|Publishing|Games|Studios|Brewing|Coffee|Farms|Textiles|Chemicals|Steel|Packaging|Aerospace|Semiconductors|Solar|Water|Security|Staffing|Legal|Accounting|Travel|Fitness|Grocers|Pharmacy|Bakery|Construction|Architects|Engineering|Fashion|Cosmetics|Tools|Electric|Wireless|Software|Payments|Lending|Wealth|Hospitality|Events|Sports|Auto Parts|Home Care|Diagnostics".split(
    "|"
  );
// Tried in order until one is free (a second company called "Brightwater …" gets another TLD).
const TLDS: readonly (readonly [string, number, string])[] = [
  ["com", 58, "Inc."],
  ["io", 7, "Inc."],
  ["co", 4, "LLC"],
  ["net", 5, "LLC"],
  ["de", 6, "GmbH"],
  ["co.uk", 6, "Ltd"],
  ["fr", 3, "S.A."],
  ["nl", 2, "B.V."],
  ["com.au", 3, "Pty Ltd"],
  ["com.br", 2, "Ltda"],
  ["ca", 3, "Inc."],
  ["jp", 1, "K.K."],
];
const FIRST_NAMES =
  "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Nancy Matthew Lisa Anthony Betty Mark Sandra Priya Wei Hiroshi Yuki Mohammed Fatima Lars Ingrid Pierre Camille Giulia Marco Olga Ivan Chen Aisha Diego Lucía José Zoë Søren Łukasz Chloé Björn Anaïs Renée François Jürgen Noémie Tomás Ana".split(
    " "
  );
const LAST_NAMES =
  "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Thompson White Harris Clark Lewis Walker Young Allen King Wright Nguyen Patel Kim Tanaka Sato Müller Schmidt Kowalski Nowak Ødegaard Johansson Dubois Rossi Bianchi Novak Ivanova Núñez Silva Santos Costa O'Connor Fischer Weber Larsen Eriksson Yamamoto Chen Wang Okafor Mensah".split(
    " "
  );
const REJECTION_REASONS = [
  "The customer is already in an active opportunity with our direct team.",
  "Duplicate of a registration another partner submitted earlier.",
  "The customer is below the minimum size for partner registration.",
  "Not enough qualification: no named contact, budget or timeline.",
  "The customer is an existing account managed by our enterprise team.",
];
const LOST_REASONS = [
  "Chose a competitor on price.",
  "No decision: the project was put on hold.",
  "Budget was cut for this fiscal year.",
  "Went with an in-house build.",
  "Missing integration with their ERP.",
  "Champion left the company.",
];
const DEAL_NOTES = [
  "Champion is the VP of Operations; budget approved for this quarter.",
  "Security review scheduled with their IT team.",
  "Evaluating two other vendors; we lead on integrations.",
  "Pilot with one business unit first, then company-wide rollout.",
  "Procurement requires a reseller on their approved vendor list.",
  "Renewal of an existing subscription with additional seats.",
];
const TOUCH_NOTES: Partial<Record<(typeof TOUCH_KINDS)[number], readonly string[]>> = {
  co_sell_meeting: [
    "Joint discovery call with the account executive.",
    "Executive briefing at the customer's office.",
  ],
  technical_validation: [
    "Proof of concept on the customer's staging data.",
    "Architecture review with their IT team.",
  ],
  implementation: ["Rollout plan agreed with the project lead.", "Data migration and SSO setup."],
  co_marketing: ["Joint webinar attended by the customer.", "Case-study event invitation."],
  integration: ["Connector to their ERP demonstrated.", "API integration scoped."],
  support: ["Onboarding workshop for admins.", "Health check after go-live."],
};

// ---------------------------------------------------------------------------------------------
// Dates. All UTC; months are counted as year*12 + month.

function addMonths(date: Date, months: number): Date {
  const d = new Date(date.getTime());
  d.setUTCMonth(d.getUTCMonth() + months);
  return d;
}
const monthIndex = (ms: number) => {
  const d = new Date(ms);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
};
const monthLabel = (index: number) =>
  `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function todayUtc(now = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

/** Big partners sell bigger deals: 1.5× the median deal size at the top, 0.8× in the tail. */
const dealSizeFactor = (rank: number, n: number) => 0.8 + 0.7 * (1 - rank / n) ** 4;

/**
 * Registration weight by revenue rank: (rank/n)^(−1/α). Order statistics concentrate as n
 * grows, so α is solved for each n (bisection) to give the top 20% 77% of the
 * expected revenue; tenure, churn and chance then put the realized share near 80%.
 */
function paretoRankWeights(n: number): number[] {
  const TARGET = 0.77;
  const weights = (alpha: number) => Array.from({ length: n }, (_, r) => ((r + 0.5) / n) ** (-1 / alpha));
  const topShare = (alpha: number) => {
    const w = weights(alpha);
    let top = 0;
    let all = 0;
    for (let r = 0; r < n; r++) {
      const revenue = w[r]! * dealSizeFactor(r, n);
      all += revenue;
      if (r < Math.ceil(0.2 * n)) top += revenue;
    }
    return top / all;
  };
  let lo = 1.01; // share falls as α rises
  let hi = 4;
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (topShare(mid) > TARGET) lo = mid;
    else hi = mid;
  }
  return weights((lo + hi) / 2);
}

// ---------------------------------------------------------------------------------------------

export function generateProgram(db: DB, options: GenerateOptions): GenerateSummary {
  const { seed, passwordHash, onProgress } = options;
  const N = options.partners;
  const D = options.deals;
  const months = options.months ?? 24;
  const asOfDate = options.asOf ?? todayUtc();
  if (!Number.isInteger(N) || N < 1) throw new Error("partners must be a positive integer");
  if (!Number.isInteger(D) || D < 0) throw new Error("deals must be a non-negative integer");
  if (!Number.isInteger(months) || months < 1) throw new Error("months must be a positive integer");
  if (!Number.isInteger(seed)) throw new Error("seed must be an integer");
  const existing =
    db
      .select({ n: sql<number>`count(*)` })
      .from(partnersTable)
      .get()?.n ?? 0;
  if (existing > 0) throw new Error(`generateProgram needs a database without partners (found ${existing})`);

  const { settings, tiers } = ensureDefaultProgram(db);
  const protection = settings.protectionDays * DAY;
  const asOf = asOfDate.getTime();
  const windowStart = addMonths(asOfDate, -months).getTime();
  const span = asOf - windowStart;
  // The tier job's own window, so seeded tiers are what its first evaluation finds.
  const trailingStart = trailing12Months(asOfDate).from.getTime();

  const rngPartners = stream(seed, "partners");
  const rngDeals = stream(seed, "deals");
  const rngTouches = stream(seed, "touches");
  const rngText = stream(seed, "text");
  const rngMrr = stream(seed, "mrr");
  const rngIds = stream(seed, "ids");

  // Deterministic lucia-style ids (16 base32 characters) so a seed reproduces the same rows.
  const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";
  const userId = () => {
    let id = "";
    for (let i = 0; i < 16; i++) id += BASE32[Math.floor(rngIds() * 32)];
    return id;
  };
  const personName = (rng: Rng) => `${pick(rng, FIRST_NAMES)} ${pick(rng, LAST_NAMES)}`;
  // Every contact's name and email local part, folded to ASCII once rather than per deal.
  const people = FIRST_NAMES.flatMap((first) =>
    LAST_NAMES.map((last) => ({
      name: `${first} ${last}`,
      local: foldToAscii(`${first}.${last}`)
        .toLowerCase()
        .replace(/[^a-z.]/g, ""),
    }))
  );

  // ---- Staff ------------------------------------------------------------------------------
  const sqlite = db.$client;
  // Staff may exist already (a server bootstrap admin): reuse them rather than fail.
  const findUser = sqlite.prepare("SELECT id FROM users WHERE email = ?").pluck();
  const staffIds: string[] = [];
  const newStaff: { id: string; email: string; name: string; role: string }[] = [];
  for (const s of STAFF) {
    const id = userId();
    const found = findUser.get(s.email) as string | undefined;
    staffIds.push(found ?? id);
    if (!found) newStaff.push({ ...s, id });
  }
  const [adminId, ...managerIds] = staffIds as [string, ...string[]];

  // ---- Partners ---------------------------------------------------------------------------
  const KINDS: readonly PartnerKind[] = [
    "reseller",
    "referral",
    "agency",
    "affiliate",
    "technology",
    "strategic",
  ];
  const names: string[] = [];
  const slugs: string[] = [];
  const kinds: PartnerKind[] = [];
  const regions: string[] = [];
  const statuses: string[] = [];
  const formats: string[] = [];
  const managers: (string | null)[] = [];
  const joinedAt = new Float64Array(N);
  const activeUntil = new Float64Array(N); // churned/suspended partners stop registering
  const usedNames = new Set<string>();
  const usedSlugs = new Set<string>();
  const specialAt = new Map(SPECIAL_PARTNERS.map((s) => [s.at, s]));
  const joinSpan = Math.max(4 * 365, months * 31 + 180) * DAY;

  for (let i = 0; i < N; i++) {
    const kind =
      i < KINDS.length
        ? KINDS[i]!
        : weighted(rngPartners, [
            ["reseller", 30],
            ["referral", 25],
            ["agency", 15],
            ["affiliate", 10],
            ["technology", 12],
            ["strategic", 8],
          ] as const);
    const special = specialAt.get(i);
    let name = special?.name;
    for (let attempt = 0; !name || usedNames.has(name); attempt++) {
      name = `${pick(rngPartners, PARTNER_PREFIX)}${pick(rngPartners, PARTNER_CORE)} ${pick(
        rngPartners,
        PARTNER_SUFFIX[kind]
      )}`;
      if (attempt > 20)
        name += ` ${pick(rngPartners, ["Europe", "Americas", "Pacific", "Nordic", "West", "East"])}`;
      if (attempt > 40) name += ` ${attempt}`;
    }
    usedNames.add(name);
    let slug = slugify(name);
    for (let n = 2; usedSlugs.has(slug); n++) slug = `${slugify(name)}-${n}`;
    usedSlugs.add(slug);

    const region =
      special?.region ??
      (i < 4
        ? (["North America", "EMEA", "APAC", "Latin America"] as const)[i]!
        : weighted(rngPartners, [
            ["North America", 40],
            ["EMEA", 30],
            ["APAC", 18],
            ["Latin America", 12],
          ] as const));
    let status =
      i === 0
        ? "active"
        : weighted(rngPartners, [
            ["active", 90],
            ["suspended", 3],
            ["churned", 5],
            ["applied", 2],
          ] as const);
    // Every status shows up in any demo big enough to have a long tail.
    if (N >= 20 && i >= N - 3) status = (["suspended", "churned", "applied"] as const)[N - 1 - i]!;
    const format =
      i === 1
        ? "email"
        : i === 4
        ? "off"
        : weighted(rngPartners, [
            ["pdf", 75],
            ["email", 18],
            ["off", 7],
          ] as const);

    // Tenure skewed to older partners; a handful ramping (joined in the last 180 days).
    let joined = asOf - (30 + (joinSpan / DAY - 30) * rngPartners() ** 0.8) * DAY;
    if (i === 0) joined = asOf - (900 + 300 * rngPartners()) * DAY;
    if (i === 5 || i === 11 || i === 19) joined = asOf - (40 + 130 * rngPartners()) * DAY;
    if (status === "applied") joined = asOf - (2 + 25 * rngPartners()) * DAY;
    joined = Math.floor(joined / DAY) * DAY;
    let until = asOf;
    if (status === "churned") until = Math.max(joined + 60 * DAY, asOf - (60 + 240 * rngPartners()) * DAY);
    if (status === "suspended") until = Math.max(joined + 30 * DAY, asOf - (20 + 100 * rngPartners()) * DAY);
    if (until >= asOf) {
      until = asOf;
      if (status !== "applied") status = "active";
    }
    const manager = rngPartners() < 0.12 ? pick(rngPartners, managerIds) : managerIds[i % managerIds.length]!;

    names.push(name);
    slugs.push(slug);
    kinds.push(kind);
    regions.push(region);
    statuses.push(status);
    formats.push(format);
    managers.push(status === "applied" ? null : manager);
    joinedAt[i] = joined;
    activeUntil[i] = until;
  }

  // Heavy tail: weights are the expected order statistics of a Pareto distribution (not random
  // draws), so even 60 partners land near the 80/20 split. The largest weights go to
  // established active partners; partner 0 (the first demo login) is third, and big partners
  // also sell bigger deals.
  const rankWeights = paretoRankWeights(N);
  const established = (i: number) => statuses[i] === "active" && joinedAt[i]! <= asOf - 540 * DAY;
  const head = shuffle(
    rngPartners,
    [...Array(N).keys()].filter((i) => i !== 0 && established(i))
  );
  const rest = shuffle(
    rngPartners,
    [...Array(N).keys()].filter((i) => i !== 0 && !established(i) && statuses[i] !== "applied")
  );
  const order = [...head.slice(0, 2), 0, ...head.slice(2), ...rest];
  const weight = new Float64Array(N);
  const sizeFactor = new Float64Array(N).fill(1);
  const rankOf = new Int32Array(N).fill(N);
  order.forEach((p, r) => {
    weight[p] = rankWeights[r]!;
    rankOf[p] = r;
    sizeFactor[p] = dealSizeFactor(r, N);
  });
  const winFactor = new Float64Array(N);
  const trend = new Float64Array(N); // per-year log growth of the registration rate
  for (let p = 0; p < N; p++) {
    winFactor[p] = 0.8 + 0.4 * rngPartners();
    const rising = rankOf[p]! > N * 0.2 && rngPartners() < 0.1;
    trend[p] = rising ? 2 + 1.5 * rngPartners() : -0.3 + 0.6 * rngPartners();
  }
  const cumulative = new Float64Array(N);
  for (let p = 0, s = 0; p < N; p++) cumulative[p] = s += weight[p]!;
  const totalWeight = cumulative[N - 1]!;

  /** A partner active at `t`, by weight and trend; -1 if none accepts (the deal goes direct). */
  function partnerAt(rng: Rng, t: number): number {
    if (totalWeight <= 0) return -1;
    for (let attempt = 0; attempt < 12; attempt++) {
      const x = rng() * totalWeight;
      let lo = 0;
      let hi = N - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cumulative[mid]! > x) hi = mid;
        else lo = mid + 1;
      }
      if (t < joinedAt[lo]! || t > activeUntil[lo]!) continue;
      const k = trend[lo]!;
      const f = Math.exp((k * (t - asOf)) / (365 * DAY));
      if (rng() * (k > 0 ? 1 : Math.exp((-k * span) / (365 * DAY))) < f) return lo;
    }
    return -1;
  }

  // ---- Deals: one pass over time-ordered submissions ----------------------------------------
  // Volume grows ~80% over the window (density ∝ 1 + g·u, sampled by inverting its CDF).
  const times = new Float64Array(D);
  const g = 0.8;
  for (let i = 0; i < D; i++) {
    const u = rngDeals();
    const x = (-1 + Math.sqrt(1 + 2 * g * u * (1 + g / 2))) / g;
    times[i] = windowStart + x * span;
  }
  times.sort();
  // Partner 0 always has registrations about to lose protection (the 14-day warning).
  const featured = new Int8Array(D);
  for (const daysLeft of [4, 10]) {
    const target = asOf + daysLeft * DAY - protection - 2 * DAY;
    if (D < 50 || target < Math.max(windowStart, joinedAt[0]!)) continue;
    let idx = times.findIndex((t) => t >= target);
    if (idx < 0) idx = D - 1;
    while (featured[idx] && idx > 0) idx--;
    featured[idx] = 1;
    times[idx] = target;
  }

  const dealPartner = new Int32Array(D);
  const dealCustomer = new Int32Array(D);
  const amount = new Int32Array(D);
  const stage = new Uint8Array(D);
  const submittedAt = new Float64Array(D);
  const decidedAt = new Float64Array(D); // NaN: none
  const closedAt = new Float64Array(D);
  const protectionEnds = new Float64Array(D);
  const expectedClose = new Float64Array(D);
  const product = new Uint8Array(D);
  const isNewCustomer = new Uint8Array(D);
  const holdsClaim = new Uint8Array(D);
  const involved = new Uint8Array(D); // a partner registered or touched it

  const customerCreated: number[] = [];
  const customersOfPartner: number[][] = Array.from({ length: N }, () => []);
  const wonRevenue12 = new Float64Array(N);
  const won12 = new Int32Array(N);
  const lost12 = new Int32Array(N);

  // Touches: columns, at most 1 + 3 per deal.
  const maxTouches = D * 4;
  const touchDeal = new Int32Array(maxTouches);
  const touchPartner = new Int32Array(maxTouches);
  const touchAt = new Float64Array(maxTouches);
  const touchKind = new Uint8Array(maxTouches);
  const touchPillar = new Uint8Array(maxTouches);
  const touchJourney = new Uint8Array(maxTouches);
  let T = 0;
  const KIND_INDEX = Object.fromEntries(TOUCH_KINDS.map((k, i) => [k, i])) as Record<
    (typeof TOUCH_KINDS)[number],
    number
  >;
  const PILLAR_INDEX = Object.fromEntries(PILLARS.map((k, i) => [k, i])) as Record<
    (typeof PILLARS)[number],
    number
  >;
  const EXTRA_KINDS = [
    ["co_sell_meeting", 30],
    ["technical_validation", 18],
    ["co_marketing", 14],
    ["integration", 12],
    ["implementation", 12],
    ["support", 8],
    ["referral", 6],
  ] as const;
  const JOURNEY = { awareness: 0, consideration: 1, decision: 2, onboarding: 3, expansion: 4 } as const;
  const JOURNEY_NAMES = Object.keys(JOURNEY);

  function addTouch(
    deal: number,
    partner: number,
    at: number,
    kind: (typeof TOUCH_KINDS)[number],
    journey: number,
    submission = false
  ) {
    touchDeal[T] = deal;
    touchPartner[T] = partner;
    touchAt[T] = Math.round(at / 1000) * 1000;
    touchKind[T] = KIND_INDEX[kind];
    // The submission is always referral/sell (DESIGN.md); other touches mostly use the pillar
    // of their kind, sometimes another (a technical validation that was really a sales push).
    const usual = PILLAR_INDEX[PILLAR_OF_TOUCH_KIND[kind]];
    touchPillar[T] = submission || rngTouches() < 0.85 ? usual : Math.floor(rngTouches() * PILLARS.length);
    touchJourney[T] = journey;
    involved[deal] = 1;
    T++;
  }

  /** Extra touches between `from` and `to` by the registering partner or others. */
  function extraTouches(deal: number, owner: number, from: number, to: number, count: number) {
    for (let k = 0; k < count; k++) {
      const f = rngTouches();
      const at = from + f * (to - from);
      let partner = owner;
      if (owner < 0 || rngTouches() < 0.45) {
        const other = partnerAt(rngTouches, at);
        if (other >= 0) partner = other;
      }
      if (partner < 0) continue;
      const kind = weighted(rngTouches, EXTRA_KINDS);
      // The journey stage follows the kind (delivery work is post-sale) and how far along the
      // deal the touch happened.
      const coin = rngTouches() < 0.5;
      let journey: number = JOURNEY.decision;
      if (kind === "implementation" || kind === "support") {
        journey = rngTouches() < 0.7 ? JOURNEY.onboarding : JOURNEY.expansion;
      } else if (f < 0.3) journey = coin ? JOURNEY.awareness : JOURNEY.consideration;
      else if (f < 0.75) journey = coin ? JOURNEY.consideration : JOURNEY.decision;
      addTouch(deal, partner, at, kind, journey);
    }
  }

  const round = (ms: number) => Math.round(ms / 1000) * 1000;
  // The app's product lines (app/domain/products), the first ones selling most.
  const PRODUCT_CHOICES = PRODUCT_LINES.map((_, k) => [k, [40, 20, 15, 15, 10][k] ?? 10] as const);
  for (let i = 0; i < D; i++) {
    const t = round(times[i]!);
    submittedAt[i] = t;
    const p = featured[i] ? 0 : rngDeals() < 0.34 ? -1 : partnerAt(rngDeals, t);
    dealPartner[i] = p;

    // Most deals are new logos; the rest go back to a customer this partner (or anyone) knows.
    let c: number;
    const known = p >= 0 ? customersOfPartner[p]! : null;
    if (customerCreated.length === 0 || rngDeals() < 0.58) {
      c = customerCreated.length;
      customerCreated.push(t);
      isNewCustomer[i] = 1;
    } else if (known && known.length && rngDeals() < 0.75) {
      c = known[Math.floor(rngDeals() * known.length)]!;
    } else {
      c = Math.floor(rngDeals() * customerCreated.length);
    }
    if (p >= 0 && (isNewCustomer[i] || known![known!.length - 1] !== c)) known!.push(c);
    dealCustomer[i] = c;

    const size = p >= 0 ? 28_000 * sizeFactor[p]! : 34_000;
    amount[i] = Math.round(logNormal(rngDeals, size, 0.85, 5_000, 400_000) / 100) * 10_000;
    product[i] = weighted(rngDeals, PRODUCT_CHOICES);

    decidedAt[i] = NaN;
    closedAt[i] = NaN;
    protectionEnds[i] = NaN;
    let plannedClose: number;
    if (p >= 0) {
      // Partner registration: review within days, then a race between the sale and protection.
      const decided = round(t + (featured[i] ? 2 * DAY : logNormal(rngDeals, 2.5, 0.8, 0.1, 14) * DAY));
      const cycle = logNormal(rngDeals, 48, 0.55, 20, 180) * DAY;
      const stall = rngDeals() < 0.1;
      const rejected = rngDeals() < 0.09;
      const wins = rngDeals() < 0.47 * winFactor[p]!;
      plannedClose = round(t + cycle);
      if (decided > asOf) {
        stage[i] = SUBMITTED;
      } else {
        decidedAt[i] = decided;
        if (rejected && !featured[i]) {
          stage[i] = REJECTED;
        } else {
          const ends = decided + protection;
          protectionEnds[i] = ends;
          if (featured[i]) stage[i] = APPROVED;
          else if (stall || plannedClose > ends) stage[i] = ends <= asOf ? EXPIRED : APPROVED;
          else if (plannedClose >= asOf) stage[i] = APPROVED; // closes strictly before asOf
          else {
            stage[i] = wins ? WON : LOST;
            closedAt[i] = plannedClose;
          }
        }
      }
    } else {
      // Direct: qualified by the vendor's own team within hours; no protection, no rejection.
      const decided = round(t + (0.5 + 5.5 * rngDeals()) * HOUR);
      plannedClose = round(t + logNormal(rngDeals, 62, 0.6, 20, 180) * DAY);
      const wins = rngDeals() < 0.38;
      if (decided > asOf) stage[i] = SUBMITTED;
      else {
        decidedAt[i] = decided;
        if (plannedClose >= asOf) stage[i] = APPROVED;
        else {
          stage[i] = wins ? WON : LOST;
          closedAt[i] = plannedClose;
        }
      }
    }
    expectedClose[i] = plannedClose + (rngDeals() - 0.5) * 20 * DAY;

    // The first open partner registration of a customer holds its claim; later ones do not.
    const s = stage[i]!;
    if (p >= 0 && (s === SUBMITTED || s === APPROVED)) holdsClaim[i] = 1;

    if (p >= 0 && s === WON && closedAt[i]! >= trailingStart) {
      wonRevenue12[p] += amount[i]!;
      won12[p]++;
    }
    if (p >= 0 && s === LOST && closedAt[i]! >= trailingStart) lost12[p]++;

    // Touches: the submission itself, then 0–3 more; partners also influence direct deals.
    const end = s === WON || s === LOST ? closedAt[i]! : s === EXPIRED ? protectionEnds[i]! : asOf;
    if (p >= 0) {
      addTouch(i, p, t, "referral", rngTouches() < 0.65 ? JOURNEY.consideration : JOURNEY.decision, true);
      if (s !== REJECTED && s !== SUBMITTED && rngTouches() < 0.55) {
        extraTouches(i, p, t, end, 1 + Math.floor(rngTouches() * 3));
      }
    } else if (s !== SUBMITTED && rngTouches() < 0.28) {
      extraTouches(i, -1, t, end, 1 + Math.floor(rngTouches() * 2));
    }
  }
  const C = customerCreated.length;

  // Claims: walk in submission order; a later open registration of a claimed customer does not
  // hold the claim (it is the conflict the reviewer sees).
  const claimedBy = new Int32Array(C).fill(-1);
  const conflict = new Uint8Array(D);
  for (let i = 0; i < D; i++) {
    if (!holdsClaim[i]) continue;
    const c = dealCustomer[i]!;
    if (claimedBy[c] === -1) claimedBy[c] = i;
    else {
      holdsClaim[i] = 0;
      conflict[i] = stage[i] === SUBMITTED ? 1 : 0;
    }
  }

  // Tiers: the highest rung each partner qualifies for on trailing-12-month sourced revenue
  // (the program's default attribution model), by the tier rules of app/domain/tiers.
  const lowest = [...tiers].sort((a, b) => a.rank - b.rank)[0]!;
  const tierOf = new Int32Array(N);
  const partnersByTier: Record<string, number> = Object.fromEntries(tiers.map((t) => [t.name, 0]));
  for (let p = 0; p < N; p++) {
    const closed = won12[p]! + lost12[p]!;
    const metrics = {
      revenueCents: wonRevenue12[p]!,
      wonDeals: won12[p]!,
      closedDeals: closed,
      winRateBp: closed ? Math.round((won12[p]! / closed) * 10_000) : null,
    };
    const tier = statuses[p] === "applied" ? lowest : qualifyingTier(tiers, metrics);
    tierOf[p] = tier.id;
    partnersByTier[tier.name]!++;
  }

  // Customer MRR: each won deal adds its annual value / 12 from its close month; customers
  // expand, contract and churn (partner-involved ones churn less, the story NRR should tell).
  const firstWon = new Int32Array(C).fill(-1);
  const nextWon = new Int32Array(D).fill(-1);
  const lastWon = new Int32Array(C).fill(-1);
  for (let i = 0; i < D; i++) {
    if (stage[i] !== WON) continue;
    const c = dealCustomer[i]!;
    if (firstWon[c] === -1) firstWon[c] = i;
    else nextWon[lastWon[c]!] = i;
    lastWon[c] = i;
  }
  const lastMonth = monthIndex(asOf - 1);
  const mrrCustomer: number[] = [];
  const mrrMonth: number[] = [];
  const mrrCents: number[] = [];
  const events: { month: number; cents: number }[] = [];
  for (let c = 0; c < C; c++) {
    if (firstWon[c] === -1) continue;
    events.length = 0;
    for (let i = firstWon[c]!; i !== -1; i = nextWon[i]!) {
      events.push({ month: monthIndex(closedAt[i]!), cents: Math.round(amount[i]! / 12) });
    }
    events.sort((a, b) => a.month - b.month);
    const hazard = involved[firstWon[c]!] ? 0.009 : 0.016;
    let mrr = 0;
    let e = 0;
    for (let m = events[0]!.month; m <= lastMonth; m++) {
      while (e < events.length && events[e]!.month === m) mrr += events[e++]!.cents;
      if (mrr <= 0) continue;
      mrrCustomer.push(c);
      mrrMonth.push(m);
      mrrCents.push(mrr);
      const r = rngMrr();
      if (r < hazard) mrr = 0;
      else if (r < hazard + 0.03) mrr = Math.round(mrr * (1.05 + 0.2 * rngMrr()));
      else if (r < hazard + 0.04) mrr = Math.round(mrr * (0.8 + 0.15 * rngMrr()));
    }
  }
  const M = mrrCustomer.length;

  // ---- Write ----------------------------------------------------------------------------------
  const APPLICATIONS = 3;
  const total = newStaff.length + N + 2 * N + C + D + T + M + APPLICATIONS;
  const ids = (table: string) =>
    (sqlite.prepare(`SELECT coalesce(max(id), 0) FROM ${table}`).pluck().get() as number) + 1;
  const partnerBase = ids("partners");
  const customerBase = ids("customers");
  const dealBase = ids("deals");

  // A brand-new database can skip fsync during the load (a crash means re-running the seed).
  const fresh = (sqlite.prepare("SELECT count(*) FROM deals").pluck().get() as number) === 0;
  const previousSync = sqlite.pragma("synchronous", { simple: true });
  const previousCache = sqlite.pragma("cache_size", { simple: true });
  const previousForeignKeys = sqlite.pragma("foreign_keys", { simple: true });
  if (fresh) sqlite.pragma("synchronous = OFF");
  sqlite.pragma("cache_size = -262144"); // 256 MiB of page cache while loading

  // Small programs (the demo) go in one transaction, all or nothing, with every constraint
  // checked on insert. Big loads into a brand-new database go in batches (the WAL stays small)
  // in bulk mode: without the secondary indexes and foreign-key lookups SQLite appends rows
  // instead of seeking through five B-trees per deal, and rebuilding an index afterwards is
  // one sort. The generator guarantees what they would check (unique domains, one claim per
  // customer, existing ids); the tests check it on the demo and rebuilding the unique indexes
  // re-checks uniqueness.
  const bulk = options.bulkLoad ?? (fresh && total > 250_000);
  const BATCH = bulk ? 50_000 : Infinity;
  const dropped = bulk
    ? (sqlite
        .prepare(
          `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
             AND tbl_name IN ('customers', 'deals', 'touches', 'customer_mrr')`
        )
        .all() as { name: string; sql: string }[])
    : [];
  if (bulk) {
    sqlite.pragma("foreign_keys = OFF");
    for (const index of dropped) sqlite.exec(`DROP INDEX "${index.name}"`);
  }
  let written = 0;
  let pending = 0;
  const row = () => {
    if (++pending < BATCH) return;
    sqlite.exec("COMMIT");
    written += pending;
    pending = 0;
    onProgress?.(written, total);
    sqlite.exec("BEGIN IMMEDIATE");
  };

  const insertUser = sqlite.prepare(
    `INSERT INTO users (id, email, name, role, partner_id, password_hash, password_changed_at, report_opt_in, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
  );
  const insertPartner = sqlite.prepare(
    `INSERT INTO partners (id, name, slug, kind, region, status, tier_id, manager_id, website, joined_on, report_format, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
  );
  const insertCustomer = sqlite.prepare(
    "INSERT INTO customers (id, name, domain, normalized_name, created_at) VALUES (?, ?, ?, ?, ?)"
  );
  const insertDeal = sqlite.prepare(
    `INSERT INTO deals (id, customer_id, partner_id, submitted_by, title, amount_cents, currency, product_line,
       expected_close_on, stage, contact_name, contact_email, notes, conflict_note, holds_claim, rejection_reason,
       lost_reason, submitted_at, decided_at, decided_by, protection_ends_at, expiry_warned_at, closed_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
  );
  const insertTouch = sqlite.prepare(
    `INSERT INTO touches (deal_id, partner_id, occurred_at, kind, pillar, journey_stage, note, created_by, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
  );
  const insertMrr = sqlite.prepare(
    "INSERT INTO customer_mrr (customer_id, month, mrr_cents) VALUES (?, ?, ?)"
  );
  const insertApplication = sqlite.prepare(
    `INSERT INTO partner_applications (company_name, website, kind, region, contact_name, contact_email, message, status, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?)`
  );

  const partnerAdmin: string[] = [];
  const partnerSales: string[] = [];
  const customerName: string[] = new Array(C);
  const customerBaseName: string[] = new Array(C);
  const customerDomain: string[] = new Array(C);
  const dayCache = new Map<number, string>();
  const day = (ms: number) => {
    const key = Math.floor(ms / DAY);
    let s = dayCache.get(key);
    if (s === undefined) dayCache.set(key, (s = isoDate(ms)));
    return s;
  };
  const nullable = (ms: number) => (Number.isNaN(ms) ? null : ms);

  onProgress?.(0, total);
  sqlite.exec("BEGIN IMMEDIATE");
  try {
    const staffCreated = asOf - 5 * 365 * DAY;
    for (const s of newStaff) {
      insertUser.run(s.id, s.email, s.name, s.role, null, passwordHash, staffCreated, 0, staffCreated);
      row();
    }

    for (let p = 0; p < N; p++) {
      insertPartner.run(
        partnerBase + p,
        names[p],
        slugs[p],
        kinds[p],
        regions[p],
        statuses[p],
        tierOf[p],
        managers[p],
        `https://www.${slugs[p]}.example`,
        day(joinedAt[p]!),
        formats[p],
        joinedAt[p]
      );
      row();
    }
    for (let p = 0; p < N; p++) {
      const slug = slugs[p];
      const created = joinedAt[p]!;
      const admin = userId();
      const sales = userId();
      insertUser.run(
        admin,
        `admin@${slug}.demo.test`,
        personName(rngText),
        "partner_admin",
        partnerBase + p,
        passwordHash,
        created,
        1,
        created
      );
      row();
      insertUser.run(
        sales,
        `sales@${slug}.demo.test`,
        personName(rngText),
        "partner_user",
        partnerBase + p,
        passwordHash,
        created,
        0,
        created
      );
      row();
      partnerAdmin.push(admin);
      partnerSales.push(sales);
    }

    // Customer names: a permutation of all <A><b> <Industry> combinations (no repeats until
    // they run out, then regional qualifiers), and the first free domain among a few forms.
    const combos = CUSTOMER_A.length * CUSTOMER_B.length * INDUSTRIES.length;
    let stride = 245_491; // odd, then the next one coprime with the number of combinations
    const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);
    while (gcd(stride, combos) !== 1) stride += 2;
    const offset = Math.floor(rngText() * combos);
    const domains = new Set<string>();
    const TLD_CHOICES = TLDS.map((t) => [t, t[1]] as const);
    const QUALIFIERS = [
      "",
      " Europe",
      " Americas",
      " Asia Pacific",
      " International",
      " Holdings",
      " Group",
      " Worldwide",
    ];
    for (let c = 0; c < C; c++) {
      let base: string;
      let tld = weighted(rngText, TLD_CHOICES);
      if (c > 20 && rngText() < 0.003) {
        // A near-duplicate: same company name as an earlier customer, on another domain.
        base = customerBaseName[Math.floor(rngText() * c)]!;
      } else {
        const k = (offset + c * stride) % combos;
        const a = CUSTOMER_A[k % CUSTOMER_A.length]!;
        const b = CUSTOMER_B[Math.floor(k / CUSTOMER_A.length) % CUSTOMER_B.length]!;
        const industry = INDUSTRIES[Math.floor(k / (CUSTOMER_A.length * CUSTOMER_B.length))]!;
        base = `${a}${b} ${industry}${QUALIFIERS[Math.floor(c / combos) % QUALIFIERS.length]}`;
      }
      const slug = slugify(base);
      const compact = slug.replace(/-/g, "");
      const firstWord = slug.split("-", 1)[0]!;
      const candidates = [
        ...(rngText() < 0.35 ? [`${firstWord}.${tld[0]}`] : []),
        `${compact}.${tld[0]}`,
        `${slug}.${tld[0]}`,
        `${compact}.com`,
        `${compact}-${tld[0].replace(/\./g, "")}.com`,
      ];
      let domain = candidates.find((d) => !domains.has(d));
      for (let n = 2; !domain; n++) if (!domains.has(`${compact}${n}.com`)) domain = `${compact}${n}.com`;
      domains.add(domain);
      if (domain.endsWith(".com") && !domain.endsWith(`.${tld[0]}`)) tld = TLDS[0]!;
      const legal = rngText() < 0.55 ? ` ${tld[2]}` : "";
      const name = `${base}${legal}`;
      customerBaseName[c] = base;
      customerName[c] = name;
      customerDomain[c] = domain;
      insertCustomer.run(customerBase + c, name, domain, normalizeCompanyName(name), customerCreated[c]);
      row();
    }

    for (let i = 0; i < D; i++) {
      const p = dealPartner[i]!;
      const c = dealCustomer[i]!;
      const s = stage[i]!;
      const line = PRODUCT_LINES[product[i]!]!;
      const contact = people[Math.floor(rngText() * people.length)]!;
      const decider = p >= 0 ? managers[p] ?? adminId : managerIds[i % managerIds.length]!;
      const submitter = p >= 0 ? (rngText() < 0.65 ? partnerSales[p]! : partnerAdmin[p]!) : decider;
      const kindOfDeal = isNewCustomer[i] ? "" : rngText() < 0.5 ? " expansion" : " renewal";
      insertDeal.run(
        dealBase + i,
        customerBase + c,
        p >= 0 ? partnerBase + p : null,
        submitter,
        `${customerBaseName[c]} — ${line}${kindOfDeal}`,
        amount[i],
        settings.currency,
        line,
        day(expectedClose[i]!),
        STAGES[s],
        contact.name,
        `${contact.local}@${customerDomain[c]}`,
        rngText() < 0.15 ? pick(rngText, DEAL_NOTES) : "",
        conflict[i]
          ? "The customer asked us to register anyway: they are evaluating several partners."
          : null,
        holdsClaim[i],
        s === REJECTED ? pick(rngText, REJECTION_REASONS) : null,
        s === LOST ? pick(rngText, LOST_REASONS) : null,
        submittedAt[i],
        nullable(decidedAt[i]!),
        s === SUBMITTED ? null : decider,
        nullable(protectionEnds[i]!),
        // Expired registrations were warned 14 days before; open ones are left to the job.
        s === EXPIRED ? protectionEnds[i]! - 14 * DAY : null,
        nullable(closedAt[i]!)
      );
      row();
    }

    for (let k = 0; k < T; k++) {
      const kind = TOUCH_KINDS[touchKind[k]!]!;
      const notes = TOUCH_NOTES[kind];
      const p = touchPartner[k]!;
      insertTouch.run(
        dealBase + touchDeal[k]!,
        partnerBase + p,
        touchAt[k],
        kind,
        PILLARS[touchPillar[k]!],
        JOURNEY_NAMES[touchJourney[k]!],
        notes && rngText() < 0.3 ? pick(rngText, notes) : "",
        partnerSales[p],
        touchAt[k]
      );
      row();
    }

    const labels = new Map<number, string>();
    for (let k = 0; k < M; k++) {
      const m = mrrMonth[k]!;
      let label = labels.get(m);
      if (label === undefined) labels.set(m, (label = monthLabel(m)));
      insertMrr.run(customerBase + mrrCustomer[k]!, label, mrrCents[k]);
      row();
    }

    const applications = [
      {
        company: "Fjordline Analytics AS",
        website: "https://fjordline-analytics.no",
        kind: "technology",
        region: "EMEA",
        contact: "Ingrid Solberg",
        email: "ingrid.solberg@fjordline-analytics.no",
        days: 2,
        message:
          "We build data pipelines for Nordic retailers and want to list a certified connector and co-sell into our 40 existing accounts.",
      },
      {
        company: "Kestrel Cloud Advisors LLC",
        website: "https://kestrelcloud.com",
        kind: "referral",
        region: "North America",
        contact: "Marcus Bell",
        email: "marcus@kestrelcloud.com",
        days: 5,
        message:
          "Fractional CTO practice for mid-market SaaS companies. We recommend tooling to about a dozen clients a quarter.",
      },
      {
        company: "Mesa Verde Soluciones",
        website: "https://mesaverde.com.mx",
        kind: "reseller",
        region: "Latin America",
        contact: "Lucía Hernández",
        email: "lucia.hernandez@mesaverde.com.mx",
        days: 9,
        message:
          "Value-added reseller in Mexico and Colombia with a 12-person services team; we would like to resell and implement the Platform.",
      },
    ];
    for (const a of applications) {
      const created = asOf - a.days * DAY + 9 * HOUR + Math.floor(rngText() * 6 * HOUR);
      insertApplication.run(a.company, a.website, a.kind, a.region, a.contact, a.email, a.message, created);
      row();
    }
    sqlite.exec("COMMIT");
  } catch (error) {
    if (sqlite.inTransaction) sqlite.exec("ROLLBACK");
    throw error;
  } finally {
    // Even after a failure: never leave the schema without its indexes.
    for (const index of dropped) sqlite.exec(index.sql);
    sqlite.pragma(`foreign_keys = ${previousForeignKeys}`);
    sqlite.pragma(`cache_size = ${previousCache}`);
    if (fresh) sqlite.pragma(`synchronous = ${previousSync}`);
  }
  written += pending;
  onProgress?.(written, total);
  // The analytics rollups (ecosystem and program-metrics pages) over everything just written.
  rebuildRollups(db);
  // Statistics for the query planner (the app's queries over a million deals depend on them).
  // Full statistics: with sampled ones the planner reads per-partner queries through the
  // (stage, closed_at) index and scans a year of deals for each partner.
  sqlite.exec("ANALYZE;");
  sqlite.pragma("wal_checkpoint(TRUNCATE)");

  const dealsByStage = Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<DealStage, number>;
  for (let i = 0; i < D; i++) dealsByStage[STAGES[stage[i]!]!]++;
  return {
    partners: N,
    users: newStaff.length + 2 * N,
    customers: C,
    deals: D,
    dealsByStage,
    touches: T,
    mrrRows: M,
    applications: APPLICATIONS,
    partnersByTier,
  };
}

/**
 * Called by the server at start when DEMO is on: seeds the default demo program (seed 1,
 * 60 partners, as of today) only when there are no partners yet. Returns whether it seeded.
 */
export function seedDemoIfEmpty(db: DB): boolean {
  const count =
    db
      .select({ n: sql<number>`count(*)` })
      .from(partnersTable)
      .get()?.n ?? 0;
  if (count > 0) return false;
  generateProgram(db, { ...DEMO_DEFAULTS, passwordHash: DEMO_PASSWORD_HASH });
  return true;
}
