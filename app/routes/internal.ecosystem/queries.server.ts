// What /internal/ecosystem loads: the ecosystem report's analytics sections as of today (the
// same builder as the monthly report PDF, so the page and the PDF cannot disagree), the curves
// only the page draws, and the filtered, paged long-tail list with its managers and open plays.
import type { DB } from "../../db.server";
import { ecosystemReport, filterLongTail, longTailFiltersFromSearch } from "../../domain/ecosystem.server";
import { formatMoney, formatPercent } from "../../domain/format";
import { openGrowthPlayCounts } from "../../domain/growth-plays.server";
import { describeEvidence } from "../../domain/long-tail";
import { listManagers } from "../../domain/partners.server";
import { programCurrency } from "../../domain/program-settings.server";
import { ecosystemSections } from "../../reports/ecosystem-report.server";

const PAGE_SIZE = 50;

export function loadEcosystemPage(db: DB, search: URLSearchParams) {
  const filters = longTailFiltersFromSearch(search);
  const currency = programCurrency(db);
  const eco = ecosystemReport(db);
  const { snapshot } = eco;
  const sections = ecosystemSections(db, eco, new Date(snapshot.period.to), currency);
  const staff = listManagers(db).map((m) => ({ id: m.id, name: m.name }));
  const staffName = new Map(staff.map((m) => [m.id, m.name]));
  const rows = filterLongTail(eco.longTail.rows, filters);
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
  const page = Math.min(filters.page, pages);
  const openPlays = openGrowthPlayCounts(db);
  return {
    currency,
    window: sections.analyticsWindow,
    modelLabel: sections.modelLabel,
    concentration: sections.concentration,
    alerts: sections.alerts,
    headTail: sections.headTail,
    flagCounts: sections.longTail.flagCounts,
    baselines: sections.longTail.baselines.text,
    lorenz: snapshot.lorenz,
    pareto: snapshot.pareto,
    /** The five largest partners, named under the head figures. */
    largest: snapshot.partners
      .slice(0, 5)
      .map((p) => ({ slug: p.slug, name: p.name, shareText: formatPercent(p.share) })),
    filters: {
      flag: filters.flag ?? "",
      kind: filters.kind ?? "",
      region: filters.region ?? "",
      manager: filters.manager ?? "",
    },
    matching: rows.length,
    page,
    pages,
    rows: rows.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE).map((r) => ({
      partnerId: r.partner.id,
      slug: r.partner.slug,
      name: r.partner.name,
      kind: r.partner.kind,
      region: r.partner.region,
      managerName: r.partner.managerId ? staffName.get(r.partner.managerId) ?? null : null,
      revenueText: formatMoney(r.partner.revenueCents, currency),
      shareText: formatPercent(r.partner.share, 2),
      flags: r.flags.map((e) => ({ flag: e.flag, text: describeEvidence(e) })),
      openPlays: openPlays.get(r.partner.id) ?? 0,
    })),
    staff,
    /** The long-tail row whose growth-play form is open (?play=<partner id>), if any. */
    openPlay: Number(search.get("play")) || null,
  };
}

export type EcosystemPageData = ReturnType<typeof loadEcosystemPage>;
