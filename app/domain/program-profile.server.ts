// What the reports say about the program itself: its name, currency and protection period,
// read from the one program-settings row (docs/domain.md "Program settings"). Kept apart from
// program-settings.server.ts only while that module is being reshaped; it belongs there.
import { programSettings } from "../../db/schema";
import type { DB } from "../db.server";

export type ProgramProfile = { programName: string; currency: string; protectionDays: number };

export function programProfile(db: DB): ProgramProfile {
  const row = db
    .select({ name: programSettings.programName, currency: programSettings.currency, protectionDays: programSettings.protectionDays })
    .from(programSettings)
    .get();
  return { programName: row?.name ?? "Partner Program", currency: row?.currency ?? "USD", protectionDays: row?.protectionDays ?? 90 };
}
