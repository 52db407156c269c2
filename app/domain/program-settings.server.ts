// Program settings: the one row of program-wide choices (currency, attribution model, protection
// days, tier ladder, report schedule) that every other module reads. See docs/domain.md,
// "Program settings".
import { programSettings } from "../../db/schema";
import type { DB } from "../db.server";

/** The program's currency: what new registrations default to and figures are shown in. */
export function programCurrency(db: Pick<DB, "select">): string {
  return db.select({ c: programSettings.currency }).from(programSettings).get()?.c ?? "USD";
}
