// The world the report renderers are tested on (the partner and ecosystem PDFs, the report
// emails, render.server): partners with Unicode names, one won deal each in October 2026, a
// pipeline long enough to run over a page break, and users for every recipient rule; plus
// pdfjs read-back of a rendered PDF, what a reader's PDF viewer would extract.
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";
import { createCustomer, createDeal, createPartner, createUser, ensureDefaultProgram } from "../../db/factories";
import type { Partner } from "../../db/schema";
import { createTestDatabase } from "../../tests/support/db";
import type { DB } from "../db.server";

export const NOW = new Date("2026-11-15T12:00:00Z");
export const PERIOD = "2026-10";
const at = (iso: string) => new Date(`${iso}T12:00:00Z`);

/** Every page's text, in reading order. */
export async function pdfPages(pdf: Buffer): Promise<string[]> {
  const doc = await getDocument({ data: new Uint8Array(pdf), useSystemFonts: false, isEvalSupported: false }).promise;
  const pages: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    pages.push(content.items.map((item) => ("str" in item ? item.str : "")).join(" ").replace(/\s+/g, " "));
  }
  await doc.destroy();
  return pages;
}

/**
 * A PDF's bytes with the two things that change on every render blanked: its creation date and
 * its file ID. Two renders of one report compare equal when everything a reader gets is the same.
 */
export function comparablePdf(pdf: Buffer): string {
  return pdf.toString("latin1").replace(/\(D:\d+Z\)/g, "(D:)").replace(/\/ID \[<[0-9a-f]+> <[0-9a-f]+>\]/, "/ID []");
}

/** Every page's size in points, and the document's title, author and language (catalog /Lang). */
export async function pdfDocumentInfo(pdf: Buffer) {
  const doc = await getDocument({ data: new Uint8Array(pdf), useSystemFonts: false, isEvalSupported: false }).promise;
  const sizes: { width: number; height: number }[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const [x0, y0, x1, y1] = (await doc.getPage(i)).view as [number, number, number, number];
    sizes.push({ width: Math.round((x1 - x0) * 100) / 100, height: Math.round((y1 - y0) * 100) / 100 });
  }
  const { info } = (await doc.getMetadata()) as { info: { Title?: string; Author?: string; Language?: string } };
  await doc.destroy();
  return { sizes, title: info.Title, author: info.Author, language: info.Language };
}

/** Every page's text items with their baseline position (points from the page's bottom edge). */
export async function pdfItems(pdf: Buffer): Promise<{ str: string; x: number; y: number }[][]> {
  const doc = await getDocument({ data: new Uint8Array(pdf), useSystemFonts: false, isEvalSupported: false }).promise;
  const pages: { str: string; x: number; y: number }[][] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    pages.push(
      content.items.flatMap((item) => ("str" in item && item.str.trim() ? [{ str: item.str, x: item.transform[4] as number, y: item.transform[5] as number }] : [])),
    );
  }
  await doc.destroy();
  return pages;
}

export type RenderWorld = { db: DB; lodz: Partner; aero: Partner; quiet: Partner };

export function createRenderWorld(): RenderWorld {
  const db = createTestDatabase().db;
  const tiers = Object.fromEntries(ensureDefaultProgram(db).tiers.map((t) => [t.name, t]));
  const lodz = createPartner(db, { name: "Łódź Systems", slug: "lodz-systems", tierId: tiers.Gold.id, joinedOn: "2025-01-01" });
  const aero = createPartner(db, { name: "Ærø Partners", slug: "aero-partners", joinedOn: "2025-01-01", reportFormat: "email" });
  const quiet = createPartner(db, { name: "Quiet Harbour Partners", slug: "quiet", joinedOn: "2025-01-01", reportFormat: "off" });
  createDeal(db, { partnerId: lodz.id, title: "Kraków Foods — Platform", stage: "won", amountCents: 3_000_000, submittedAt: at("2026-08-01"), decidedAt: at("2026-08-02"), closedAt: at("2026-10-10") }, { now: NOW });
  createDeal(db, { partnerId: aero.id, stage: "won", amountCents: 1_000_000, submittedAt: at("2026-08-01"), decidedAt: at("2026-08-02"), closedAt: at("2026-10-12") }, { now: NOW });
  // Enough open registrations for the pipeline table to run over a page break.
  for (let i = 0; i < 70; i++) {
    const customer = createCustomer(db, { name: `Pipeline Prospect ${i}`, domain: `prospect-${i}.test` });
    createDeal(
      db,
      { partnerId: lodz.id, customerId: customer.id, title: `Pipeline Prospect ${i} — Analytics`, stage: "approved", submittedAt: at("2026-09-01"), decidedAt: at("2026-09-03"), protectionEndsAt: at(i < 3 ? "2026-11-05" : "2026-12-20") },
      { now: NOW },
    );
  }
  createUser(db, { role: "partner_admin", partnerId: lodz.id, email: "owner@lodz.test" });
  createUser(db, { role: "partner_user", partnerId: lodz.id, email: "opted-in@lodz.test", reportOptIn: true });
  createUser(db, { role: "partner_user", partnerId: lodz.id, email: "not-opted-in@lodz.test" });
  createUser(db, { role: "partner_user", partnerId: lodz.id, email: "disabled@lodz.test", reportOptIn: true, disabledAt: new Date() });
  createUser(db, { role: "partner_admin", partnerId: aero.id, email: "owner@aero.test" });
  createUser(db, { role: "admin", email: "program@vendor.test" });
  createUser(db, { role: "partner_manager", email: "manager@vendor.test" });
  createUser(db, { role: "partner_manager", email: "gone@vendor.test", disabledAt: new Date() });
  return { db, lodz, aero, quiet };
}
