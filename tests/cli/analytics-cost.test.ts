// `npm run analytics -- --json` prints the cost-and-return figures with their inputs: this runs
// the CLI as its own process on a small program and recomputes every figure from the inputs it
// printed, and the inputs from the database.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import path from "node:path";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { actorOf } from "../../app/domain/audit.server";
import { approveClaim, claimMdf, decideMdf, requestMdf } from "../../app/domain/mdf.server";
import { closeDatabase } from "../../app/db.server";
import { createDeal, createPartner, createUser, ensureDefaultProgram } from "../../db/factories";
import { programSpend, tiers } from "../../db/schema";
import { createTestDatabase } from "../support/db";

const run = promisify(execFile);
const at = (iso: string) => new Date(`${iso}T12:00:00Z`);
let cli: any;

beforeAll(async () => {
  const { db, file } = createTestDatabase();
  ensureDefaultProgram(db);
  const gold = db.select().from(tiers).where(eq(tiers.name, "Gold")).get()!;
  const p = createPartner(db, { tierId: gold.id });
  const admin = actorOf(createUser(db, { role: "partner_admin", partnerId: p.id }));
  const manager = actorOf(createUser(db, { role: "partner_manager" }));
  const sourced = [1, 2, 3].map((i) =>
    createDeal(db, { partnerId: p.id, stage: "won", amountCents: i * 1_000_000, submittedAt: at(`2026-0${i}-01`), closedAt: at(`2026-0${i}-2${i}`) }, { withSubmissionTouch: true }),
  );
  for (const i of [1, 2, 3, 4, 5]) createDeal(db, { partnerId: null, stage: "won", amountCents: 500_000, submittedAt: at(`2026-0${i}-02`), closedAt: at(`2026-0${i}-28`) });
  db.insert(programSpend)
    .values([
      { month: "2026-02", category: "team", amountCents: 700_000 },
      { month: "2026-03", category: "commissions", amountCents: 123_456 },
      { month: "2026-04", category: "direct_sales_marketing", amountCents: 2_000_000 },
    ])
    .run();
  const id = requestMdf(db, admin, p.id, { activityType: "sell", title: "Demo day", plannedOn: "2026-02-10", amount: "3000", expectedOutcome: "Deals" }, at("2026-01-20"));
  decideMdf(db, manager, id, { approve: true }, at("2026-01-21"));
  claimMdf(db, admin, p.id, id, { amount: "2500", leads: "9", results: "Done", dealIds: [sourced[1]!.id] }, [{ fileName: "a.pdf", bytes: new TextEncoder().encode("%PDF-1.7") }], path.join(path.dirname(file), `proofs-cli-${path.basename(file)}`), at("2026-02-20"));
  approveClaim(db, manager, id, at("2026-02-25"));
  closeDatabase(db);
  const { stdout } = await run("npx", ["tsx", "app/cli/analytics.ts", "--json", "--as-of", "2026-07-10", "--database", file], { maxBuffer: 16 * 1024 * 1024 });
  cli = JSON.parse(stdout.trim().split("\n").at(-1)!).costAndReturn;
}, 120_000);

describe("analytics --json cost and return", () => {
  it("prints the inputs, which match the database", () => {
    expect(cli.inputs).toEqual({
      recordedPartnerSpendCents: 823_456,
      mdfPaidCents: 250_000,
      partnerSpendCents: 1_073_456,
      directSpendCents: 2_000_000,
      newCustomers: { sourced: 3, influenced: 0, direct: 5 },
      partnerWonCents: 6_000_000,
      grossMarginBp: 7500,
    });
    expect(Object.keys(cli.definitions)).toEqual(expect.arrayContaining(["blendedCac", "cacRatio", "mdfRoi", "leadQuality", "roic"]));
  });

  it("prints figures that recompute from those inputs", () => {
    const i = cli.inputs;
    expect(cli.cac.partner.valueCents).toBeCloseTo(i.partnerSpendCents / (i.newCustomers.sourced + i.newCustomers.influenced), 6);
    expect(cli.cac.direct.valueCents).toBeCloseTo(i.directSpendCents / i.newCustomers.direct, 6);
    expect(cli.cacRatio.value).toBeCloseTo(cli.cac.partner.valueCents / cli.cac.direct.valueCents, 10);
    expect(cli.cacRatio.partner.n).toBe(3);
    expect(cli.roic.grossProfitCents).toBe(Math.round((i.partnerWonCents * i.grossMarginBp) / 10_000));
    expect(cli.roic.value).toBeCloseTo(cli.roic.grossProfitCents / i.partnerSpendCents, 10);
    // The linked deal won $20,000 for $2,500 of MDF: 8×.
    expect(cli.mdf.total).toMatchObject({ paidCents: 250_000, wonCents: 2_000_000, linkedDeals: 1 });
    expect(cli.mdf.total.roi.value).toBe(cli.mdf.total.wonCents / cli.mdf.total.paidCents);
    expect(cli.mdf.byActivity.find((a: any) => a.activityType === "sell").roi.value).toBe(8);
    // Lead quality: sourced won after 20, 21 and 22 days; direct all 26 days.
    expect(cli.leadQuality.sourced).toMatchObject({ medianDaysToWon: 21, registered: 3, registeredWon: 3 });
    expect(cli.leadQuality.direct).toMatchObject({ medianDaysToWon: 26, registered: 5 });
    expect(cli.months.reduce((s: number, m: any) => s + m.partnerSpendCents + m.mdfPaidCents, 0)).toBe(i.partnerSpendCents);
  });
});
