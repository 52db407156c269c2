// Writes a planned demo program: staff, partners and their users, customers (named here, with
// a free domain each), deals, touches, customer MRR and pending applications, with prepared
// statements in large transactions. Text drawn while writing (people, notes, reasons) comes
// from its own stream, in row order, so a seed reproduces the same rows.
import type { DB } from "../../app/db.server";
import { normalizeCompanyName, normalizeDomain, slugify, foldToAscii } from "../../app/domain/customers";
import { PRODUCT_LINES } from "../../app/domain/products";
import { PILLARS, TOUCH_KINDS } from "../schema";
import type { MrrPlan } from "./customer-mrr";
import { EXPIRED, JOURNEY_NAMES, LOST, REJECTED, STAGES, SUBMITTED, type DealPlan } from "./deals";
import {
  APPLICATIONS,
  CUSTOMER_A,
  CUSTOMER_B,
  DEAL_NOTES,
  FIRST_NAMES,
  INDUSTRIES,
  LAST_NAMES,
  LOST_REASONS,
  REJECTION_REASONS,
  TLDS,
  TOUCH_NOTES,
} from "./demo-text";
import type { PartnerRoster } from "./partners";
import { pick, weighted, type Rng } from "./random";
import { DAY, HOUR, isoDate, monthLabel } from "./time";

export type ProgramPlan = {
  asOf: number;
  currency: string;
  /** One argon2 hash shared by every generated user. */
  passwordHash: string;
  /** Staff accounts to create (existing ones are reused and not in this list). */
  newStaff: { id: string; email: string; name: string; role: string }[];
  adminId: string;
  managerIds: string[];
  roster: PartnerRoster;
  /** The tier id of each partner. */
  tierOf: Int32Array;
  deals: DealPlan;
  mrr: MrrPlan;
};

/** Writes the plan; returns the number of rows written (what progress counts to). */
export function writeProgram(
  db: DB,
  plan: ProgramPlan,
  draw: { text: Rng; userId: () => string },
  options: { bulkLoad?: boolean; onProgress?: (done: number, total: number) => void }
): number {
  const sqlite = db.$client;
  const { onProgress } = options;
  const { asOf, passwordHash, newStaff, adminId, managerIds, tierOf } = plan;
  const rngText = draw.text;
  const userId = draw.userId;
  const N = plan.roster.count;
  const { names, slugs, kinds, regions, statuses, formats, managers, joinedAt } = plan.roster;
  const D = plan.deals.count;
  const { customerCreated, dealPartner, dealCustomer, amount, stage, submittedAt, decidedAt, closedAt } = plan.deals;
  const { protectionEnds, expectedClose, product, isNewCustomer, holdsClaim, conflict } = plan.deals;
  const C = customerCreated.length;
  const T = plan.deals.touches.count;
  const { touchDeal, touchPartner, touchAt, touchKind, touchPillar, touchJourney } = plan.deals.touches;
  const M = plan.mrr.count;
  const { mrrCustomer, mrrMonth, mrrCents } = plan.mrr;

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

  // An applied partner has no users yet, and its application waits in the queue (docs/domain.md
  // "Partner states"; the database refuses enabled users on an applied partner).
  const appliedCount = statuses.filter((s) => s === "applied").length;
  const total = newStaff.length + N + 2 * (N - appliedCount) + appliedCount + C + D + T + M + APPLICATIONS.length;
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
    `INSERT INTO partner_applications (company_name, website, kind, region, contact_name, contact_email, message, status, created_at, partner_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`
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
      if (statuses[p] === "applied") {
        // Drawn all the same, so the rest of the demo does not shift.
        const contact = personName(rngText);
        personName(rngText);
        insertApplication.run(
          names[p],
          normalizeDomain(`https://www.${slug}.example`),
          kinds[p],
          regions[p],
          contact,
          `admin@${slug}.demo.test`,
          `${names[p]} would like to join the program; we work with customers in ${regions[p]}.`,
          created,
          partnerBase + p
        );
        row();
        partnerAdmin.push("");
        partnerSales.push("");
        continue;
      }
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
        plan.currency,
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

    for (const a of APPLICATIONS) {
      const created = asOf - a.days * DAY + 9 * HOUR + Math.floor(rngText() * 6 * HOUR);
      insertApplication.run(a.company, normalizeDomain(a.website), a.kind, a.region, a.contact, a.email, a.message, created, null);
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
  return written;
}
