// Seeding an empty demo database at server start (DEMO on). The generator is loaded only when
// the database is empty, so a production server's module graph does not include it.
import { sql } from "drizzle-orm";
import type { DB } from "../../app/db.server";
import { partners } from "../schema";
import { DEMO_DEFAULTS, DEMO_PASSWORD_HASH } from "./demo-accounts";

/**
 * Seeds the default demo program (seed 1, 60 partners, as of today) only when there are no
 * partners yet. Returns whether it seeded.
 */
export async function seedDemoIfEmpty(db: DB): Promise<boolean> {
  const count =
    db
      .select({ n: sql<number>`count(*)` })
      .from(partners)
      .get()?.n ?? 0;
  if (count > 0) return false;
  const { generateProgram } = await import("./program");
  generateProgram(db, { ...DEMO_DEFAULTS, passwordHash: DEMO_PASSWORD_HASH });
  return true;
}
