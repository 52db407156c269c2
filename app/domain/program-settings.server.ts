// Program settings: the one row of program-wide choices (name, currency, attribution model,
// protection days, report schedule) that every other module reads, and the tier ladder the admin
// Settings screen edits with it — what is wrong with a proposed ladder, what it would do to
// today's partners (the preview), and saving both at once. See docs/domain.md, "Program settings"
// and "Tier evaluation".
import { asc, eq, inArray } from "drizzle-orm";
import { partners, programSettings, tiers, type AttributionModel } from "../../db/schema";
import { rememberResult, replayOf, type IdempotencyKey } from "./idempotency.server";
import { sqliteOf, writeTransaction, type DB } from "../db.server";
import type { Config } from "../config.server";
import { queueCreditModelNotices } from "./credit-model-notice.server";
import { PAPER_SIZES, type PaperSize } from "../reports/contract";
import { recordAudit, type Actor } from "./audit.server";
import { tierMetricsForAll } from "./tier-metrics.server";
import { qualifyingTier, validateLadder, type LadderProblem, type TierRule } from "./tiers";

export type ProgramProfile = { programName: string; currency: string; protectionDays: number; paperSize: PaperSize };

/** A stored paper size, or A4 (the default) for anything else. */
const paperSizeOf = (value: string | null | undefined): PaperSize => PAPER_SIZES.find((p) => p === value) ?? "A4";

/** What the reports say about the program itself: its name, currency, protection period and paper. */
export function programProfile(db: DB): ProgramProfile {
  const row = db
    .select({ name: programSettings.programName, currency: programSettings.currency, protectionDays: programSettings.protectionDays, paperSize: programSettings.paperSize })
    .from(programSettings)
    .get();
  return { programName: row?.name ?? "Partner Program", currency: row?.currency ?? "USD", protectionDays: row?.protectionDays ?? 90, paperSize: paperSizeOf(row?.paperSize) };
}

/** The program's currency: what new registrations default to and figures are shown in. */
export function programCurrency(db: Pick<DB, "select">): string {
  // A cached statement: pages ask several times a request.
  return (sqliteOf(db).prepare("SELECT currency FROM program_settings LIMIT 1").pluck().get() as string | undefined) ?? "USD";
}

export type ProgramSettingsInput = {
  programName: string;
  attributionModel: AttributionModel;
  protectionDays: number;
  /** The report PDFs' paper; unchanged when absent. */
  paperSize?: PaperSize;
  /** The domain of every Message-ID (decision 0018); "" = the domain of MAIL_FROM; unchanged when absent. */
  mailDomain?: string;
};

export type LadderRow = {
  /** Absent for a tier added on this screen. */
  id?: number;
  name: string;
  rank: number;
  minRevenueCents: number;
  minWonDeals: number;
  minWinRateBp: number | null;
  thresholdRule: "all" | "any";
  benefits: string;
  /** Remove this (existing) tier. */
  remove?: boolean;
};

export function getProgramSettings(db: DB) {
  const row = db.select().from(programSettings).where(eq(programSettings.id, 1)).get();
  return {
    programName: row?.programName ?? "Partner Program",
    currency: row?.currency ?? "USD",
    attributionModel: row?.attributionModel ?? ("sourced" as AttributionModel),
    protectionDays: row?.protectionDays ?? 90,
    paperSize: paperSizeOf(row?.paperSize),
    /** Null: the domain of MAIL_FROM. */
    mailDomain: row?.mailDomain ?? null,
    updatedAt: row?.updatedAt ?? null,
  };
}

/** Per tier: how many partners are on it and whether evaluations or reviews refer to it. */
export function ladderUsage(db: DB): Map<number, { partners: number; referenced: boolean }> {
  const rows = db.$client
    .prepare(
      `SELECT t.id,
              (SELECT count(*) FROM partners p WHERE p.tier_id = t.id) AS partners,
              EXISTS (SELECT 1 FROM tier_evaluations e WHERE e.current_tier_id = t.id OR e.qualifying_tier_id = t.id)
           OR EXISTS (SELECT 1 FROM tier_reviews r WHERE r.from_tier_id = t.id OR r.to_tier_id = t.id) AS referenced
         FROM tiers t`
    )
    .all() as { id: number; partners: number; referenced: number }[];
  return new Map(rows.map((r) => [r.id, { partners: r.partners, referenced: r.referenced === 1 }]));
}

/** Everything wrong with a proposed ladder, by row index: the rules, and tiers that cannot go. */
export function ladderProblems(db: DB, rows: readonly LadderRow[]): LadderProblem[] {
  const problems: LadderProblem[] = [];
  const usage = ladderUsage(db);
  const existing = new Map(
    db
      .select({ id: tiers.id, name: tiers.name })
      .from(tiers)
      .all()
      .map((t) => [t.id, t.name])
  );
  rows.forEach((row, index) => {
    if (row.id !== undefined && !existing.has(row.id)) {
      problems.push({ index, message: "This tier no longer exists: someone changed the ladder. Reload the page." });
    }
    if (row.remove && row.id !== undefined) {
      const use = usage.get(row.id);
      if (use && use.partners > 0) {
        problems.push({
          index,
          message: `${existing.get(row.id)} cannot be removed: ${use.partners} partner${
            use.partners === 1 ? " is" : "s are"
          } on it. Move them first.`,
        });
      } else if (use?.referenced) {
        problems.push({
          index,
          message: `${existing.get(row.id)} cannot be removed: past evaluations or tier reviews refer to it.`,
        });
      }
    }
  });
  const kept = rows.map((row, index) => ({ row, index })).filter((r) => !r.row.remove);
  if (kept.length === 0) problems.push({ index: 0, message: "The program needs at least one tier." });
  for (const p of validateLadder(kept.map(({ row }, i) => ({ ...row, id: row.id ?? -1 - i })))) {
    problems.push({ index: kept[p.index].index, message: p.message });
  }
  return problems;
}

export type LadderPreview = {
  model: AttributionModel;
  asOf: string;
  activePartners: number;
  higher: number;
  same: number;
  lower: number;
  /** Per current tier (by its name under the new ladder): where its partners would land. */
  byTier: { tier: string; partners: number; higher: number; same: number; lower: number }[];
  /** The model and ladder in force now, for comparing. */
  currentModel: AttributionModel;
  /** Total 12-month credited revenue of the active partners: under today's model, and the proposed one. */
  creditedRevenue: { currentCents: number; proposedCents: number };
  /**
   * Who moves: active partners whose qualifying tier under the proposal differs from the one
   * under today's model and ladder (by tier name), with their credited revenue under both.
   */
  movers: {
    partnerName: string;
    from: string;
    to: string;
    direction: "up" | "down";
    currentCents: number;
    proposedCents: number;
  }[];
};

/**
 * What the proposed model and ladder would do today: how many active partners would qualify
 * for a higher, the same or a lower tier than the one they are on. Writes nothing; the ladder
 * must be valid (see ladderProblems). The figures are tierMetricsForAll's, the very ones the
 * month-end evaluation judges by, only under the proposed model.
 */
export function previewProgramChange(
  db: DB,
  proposal: { attributionModel: AttributionModel; ladder: readonly LadderRow[] },
  asOf = new Date()
): LadderPreview {
  const kept = proposal.ladder.filter((r) => !r.remove).map((r, i): TierRule => ({ ...r, id: r.id ?? -1 - i }));
  const rankOf = new Map(kept.map((t) => [t.id, t]));
  const metrics = tierMetricsForAll(db, asOf, proposal.attributionModel);
  const currentModel = getProgramSettings(db).attributionModel;
  const metricsNow = currentModel === proposal.attributionModel ? metrics : tierMetricsForAll(db, asOf, currentModel);
  const ladderNow = db.select().from(tiers).orderBy(asc(tiers.rank)).all();
  const onTier = db
    .select({ id: partners.id, name: partners.name, tierId: partners.tierId })
    .from(partners)
    .where(eq(partners.status, "active"))
    .all();
  const preview: LadderPreview = {
    model: proposal.attributionModel,
    asOf: asOf.toISOString(),
    activePartners: 0,
    higher: 0,
    same: 0,
    lower: 0,
    byTier: kept
      .slice()
      .sort((a, b) => a.rank - b.rank)
      .map((t) => ({ tier: t.name, partners: 0, higher: 0, same: 0, lower: 0 })),
    currentModel,
    creditedRevenue: { currentCents: 0, proposedCents: 0 },
    movers: [],
  };
  const row = new Map(preview.byTier.map((b) => [b.tier, b]));
  for (const p of onTier) {
    const m = metrics.get(p.id);
    const current = rankOf.get(p.tierId);
    if (!m || !current) continue;
    const q = qualifyingTier(kept, m);
    const key = q.rank > current.rank ? "higher" : q.rank < current.rank ? "lower" : "same";
    preview.activePartners++;
    preview[key]++;
    const b = row.get(current.name)!;
    b.partners++;
    b[key]++;
    const now = metricsNow.get(p.id) ?? m;
    preview.creditedRevenue.currentCents += now.revenueCents;
    preview.creditedRevenue.proposedCents += m.revenueCents;
    if (ladderNow.length) {
      const before = qualifyingTier(ladderNow, now);
      if (before.name !== q.name) {
        const rankBefore = ladderNow.filter((t) => t.rank < before.rank).length;
        const rankAfter = kept.filter((t) => t.rank < q.rank).length;
        preview.movers.push({
          partnerName: p.name,
          from: before.name,
          to: q.name,
          direction: rankAfter > rankBefore ? "up" : "down",
          currentCents: now.revenueCents,
          proposedCents: m.revenueCents,
        });
      }
    }
  }
  preview.movers.sort((a, b) => a.partnerName.localeCompare(b.partnerName));
  return preview;
}

export class SettingsError extends Error {
  constructor(readonly problems: LadderProblem[]) {
    super(problems.map((p) => p.message).join(" "));
  }
}

/**
 * Saves the program settings and the ladder in one transaction with one audit event (before →
 * after). Refuses (SettingsError, by row) a ladder that breaks the rules or removes a tier still
 * in use. Ranks and names are moved out of the way first so that swapping two is possible under
 * the unique indexes.
 */
export function saveProgramSettings(
  db: DB,
  actor: Actor,
  input: ProgramSettingsInput & { ladder: readonly LadderRow[]; reason?: string | null },
  now = new Date(),
  key: IdempotencyKey | null = null,
  /** With it, a model change queues the partners' credit-model notice in this transaction. */
  notice: { config: Pick<Config, "APP_URL"> } | null = null
) {
  return writeTransaction(db, (tx) => {
    // The same form submitted again (same token): saved already; nothing is added twice.
    if (replayOf(tx, key)) return { replayed: true as const, ladder: tx.select().from(tiers).orderBy(asc(tiers.rank)).all(), notified: null };
    const problems = ladderProblems(db, input.ladder);
    if (problems.length) throw new SettingsError(problems);
    const beforeSettings = getProgramSettings(db);
    const beforeLadder = tx.select().from(tiers).orderBy(asc(tiers.rank)).all();

    tx.insert(programSettings).values({ id: 1 }).onConflictDoNothing().run();
    tx.update(programSettings)
      .set({
        programName: input.programName,
        attributionModel: input.attributionModel,
        protectionDays: input.protectionDays,
        ...(input.paperSize ? { paperSize: input.paperSize } : {}),
        ...(input.mailDomain !== undefined ? { mailDomain: input.mailDomain.trim().toLowerCase() || null } : {}),
        updatedAt: now,
      })
      .where(eq(programSettings.id, 1))
      .run();

    const removed = input.ladder.filter((r) => r.remove && r.id !== undefined).map((r) => r.id!);
    if (removed.length) tx.delete(tiers).where(inArray(tiers.id, removed)).run();
    const updated = input.ladder.filter((r) => !r.remove && r.id !== undefined);
    for (const r of updated) {
      tx.update(tiers)
        .set({ rank: -1_000_000 - r.id!, name: `~moving~${r.id}` })
        .where(eq(tiers.id, r.id!))
        .run();
    }
    const values = (r: LadderRow) => ({
      name: r.name.trim(),
      rank: r.rank,
      minRevenueCents: r.minRevenueCents,
      minWonDeals: r.minWonDeals,
      minWinRateBp: r.minWinRateBp,
      thresholdRule: r.thresholdRule,
      benefits: r.benefits.trim(),
    });
    for (const r of updated) tx.update(tiers).set(values(r)).where(eq(tiers.id, r.id!)).run();
    const added = input.ladder.filter((r) => !r.remove && r.id === undefined);
    if (added.length) tx.insert(tiers).values(added.map(values)).run();

    const afterLadder = tx.select().from(tiers).orderBy(asc(tiers.rank)).all();
    const { updatedAt: _b, ...before } = beforeSettings;
    recordAudit(tx, {
      actor,
      action: "settings.updated",
      entityType: "program_settings",
      entityId: 1,
      before: { ...before, ladder: beforeLadder },
      after: {
        programName: input.programName,
        currency: beforeSettings.currency,
        attributionModel: input.attributionModel,
        protectionDays: input.protectionDays,
        paperSize: input.paperSize ?? beforeSettings.paperSize,
        mailDomain: input.mailDomain !== undefined ? input.mailDomain.trim().toLowerCase() || null : beforeSettings.mailDomain,
        ladder: afterLadder,
        reason: input.reason ?? null,
      },
      at: now,
    });
    const notified =
      notice && beforeSettings.attributionModel !== input.attributionModel
        ? queueCreditModelNotices(tx, notice, { from: beforeSettings.attributionModel, to: input.attributionModel, programName: input.programName, at: now })
        : null;
    rememberResult(tx, key, "/internal/settings", now);
    return { replayed: false as const, ladder: afterLadder, notified };
  });
}

/**
 * Whether a save changes what partners are judged and credited by — the attribution model or
 * the ladder (a tier added, removed, renamed, re-ranked or with other thresholds) — and so needs
 * the confirmation step with the preview and a reason.
 */
export function wideReachingChange(
  db: DB,
  proposal: { attributionModel: AttributionModel; ladder: readonly LadderRow[] }
): { model: { from: AttributionModel; to: AttributionModel } | null; ladder: boolean } {
  const currentModel = getProgramSettings(db).attributionModel;
  const now = db.select().from(tiers).all();
  const byId = new Map(now.map((t) => [t.id, t]));
  const ladder =
    proposal.ladder.some((r) => r.id === undefined ? !r.remove : r.remove) ||
    proposal.ladder.filter((r) => r.id !== undefined && !r.remove).length !== now.length ||
    proposal.ladder.some((r) => {
      if (r.id === undefined || r.remove) return false;
      const t = byId.get(r.id);
      return (
        !t ||
        t.name !== r.name.trim() ||
        t.rank !== r.rank ||
        t.minRevenueCents !== r.minRevenueCents ||
        t.minWonDeals !== r.minWonDeals ||
        t.minWinRateBp !== r.minWinRateBp ||
        t.thresholdRule !== r.thresholdRule
      );
    });
  return {
    model: currentModel === proposal.attributionModel ? null : { from: currentModel, to: proposal.attributionModel },
    ladder,
  };
}

// ---------------------------------------------------------------------------------------------
// Cost settings (decision 0022): the gross margin program ROIC uses, and each tier's MDF
// allowance per quarter. Saved together, all or nothing.

export type CostSettings = { grossMarginBp: number; allowances: { tierId: number; name: string; mdfQuarterCents: number }[] };

export function getCostSettings(db: DB): CostSettings {
  const row = db.select({ bp: programSettings.grossMarginBp }).from(programSettings).get();
  return {
    grossMarginBp: row?.bp ?? 7500,
    allowances: db
      .select({ tierId: tiers.id, name: tiers.name, mdfQuarterCents: tiers.mdfQuarterCents })
      .from(tiers)
      .orderBy(tiers.rank)
      .all(),
  };
}

export function saveCostSettings(db: DB, actor: Actor, input: { grossMarginPercent: string; allowances: Record<number, string> }) {
  const problems: Record<string, string> = {};
  const pct = input.grossMarginPercent.trim().replace(/%$/, "");
  const margin = /^\d{1,3}(\.\d{1,2})?$/.test(pct) ? Math.round(Number(pct) * 100) : NaN;
  if (!(margin >= 0 && margin <= 10_000)) problems.grossMargin = "Enter the gross margin as a percentage from 0 to 100, like 75 or 72.5.";
  const before = getCostSettings(db);
  const allowances = new Map<number, number>();
  for (const tier of before.allowances) {
    const raw = (input.allowances[tier.tierId] ?? "").trim().replace(/,/g, "");
    const m = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(raw);
    if (!m) problems[`allowance-${tier.tierId}`] = `Enter ${tier.name}'s allowance per quarter as an amount, 0 for none.`;
    else allowances.set(tier.tierId, Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0")));
  }
  if (Object.keys(problems).length) return { ok: false as const, problems };
  writeTransaction(db, (tx) => {
    tx.update(programSettings).set({ grossMarginBp: margin, updatedAt: new Date() }).where(eq(programSettings.id, 1)).run();
    for (const [tierId, cents] of allowances) tx.update(tiers).set({ mdfQuarterCents: cents }).where(eq(tiers.id, tierId)).run();
    recordAudit(tx, {
      actor,
      action: "settings.cost",
      entityType: "program_settings",
      entityId: 1,
      before: { grossMarginBp: before.grossMarginBp, allowances: before.allowances.map((a) => [a.name, a.mdfQuarterCents]) },
      after: { grossMarginBp: margin, allowances: before.allowances.map((a) => [a.name, allowances.get(a.tierId)]) },
    });
  });
  return { ok: true as const };
}
