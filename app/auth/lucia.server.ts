// Lucia v3 over our own drizzle tables. Lucia's gaps are closed here:
// - it stores the session id as given, so the id we give it is SHA-256(cookie token) and the
//   token lives only in the cookie;
// - it only knows an idle expiry, so sessions carry an absolute expiry checked on validation;
// - user and partner status ride along as attributes so a disabled account is refused at once;
// - its cookie settings are fixed when an instance is built, and instances are cached: the only
//   input is APP_URL (Secure exactly when it is https), so no caller can build one that drops
//   Secure, and the session clean-up needs no instance at all.
import { eq, lt, or } from "drizzle-orm";
import { Lucia, TimeSpan, type Adapter, type DatabaseSession, type DatabaseUser } from "lucia";
import { partners, sessions, users, type Role } from "../../db/schema";
import type { Config } from "../config.server";
import type { DB } from "../db.server";

export const IDLE_TIMEOUT = new TimeSpan(12, "h");
export const ABSOLUTE_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;
export const SESSION_COOKIE = "pp_session";

type UserAttributes = {
  email: string;
  name: string;
  role: Role;
  partnerId: number | null;
  partnerName: string | null;
  partnerSlug: string | null;
  partnerStatus: string | null;
  disabled: boolean;
};
type SessionAttributes = { absoluteExpiresAt: number };

class DrizzleAdapter implements Adapter {
  constructor(private db: DB) {}

  private userRow(userId: string) {
    return this.db
      .select({
        id: users.id,
        email: users.email,
        name: users.name,
        role: users.role,
        partnerId: users.partnerId,
        disabledAt: users.disabledAt,
        partnerName: partners.name,
        partnerSlug: partners.slug,
        partnerStatus: partners.status,
      })
      .from(users)
      .leftJoin(partners, eq(partners.id, users.partnerId))
      .where(eq(users.id, userId))
      .get();
  }

  async getSessionAndUser(
    sessionId: string,
  ): Promise<[DatabaseSession | null, DatabaseUser | null]> {
    const s = this.db.select().from(sessions).where(eq(sessions.id, sessionId)).get();
    if (!s) return [null, null];
    const u = this.userRow(s.userId);
    if (!u) return [null, null];
    return [
      {
        id: s.id,
        userId: s.userId,
        expiresAt: new Date(s.expiresAt * 1000),
        attributes: { absoluteExpiresAt: s.absoluteExpiresAt },
      },
      {
        id: u.id,
        attributes: {
          email: u.email,
          name: u.name,
          role: u.role,
          partnerId: u.partnerId,
          partnerName: u.partnerName,
          partnerSlug: u.partnerSlug,
          partnerStatus: u.partnerStatus,
          disabled: u.disabledAt !== null,
        },
      },
    ];
  }

  async getUserSessions(userId: string): Promise<DatabaseSession[]> {
    return this.db
      .select()
      .from(sessions)
      .where(eq(sessions.userId, userId))
      .all()
      .map((s) => ({
        id: s.id,
        userId: s.userId,
        expiresAt: new Date(s.expiresAt * 1000),
        attributes: { absoluteExpiresAt: s.absoluteExpiresAt },
      }));
  }

  async setSession(session: DatabaseSession): Promise<void> {
    this.db
      .insert(sessions)
      .values({
        id: session.id,
        userId: session.userId,
        expiresAt: Math.floor(session.expiresAt.getTime() / 1000),
        absoluteExpiresAt: (session.attributes as SessionAttributes).absoluteExpiresAt,
      })
      .run();
  }

  async updateSessionExpiration(sessionId: string, expiresAt: Date): Promise<void> {
    this.db
      .update(sessions)
      .set({ expiresAt: Math.floor(expiresAt.getTime() / 1000) })
      .where(eq(sessions.id, sessionId))
      .run();
  }

  async deleteSession(sessionId: string): Promise<void> {
    this.db.delete(sessions).where(eq(sessions.id, sessionId)).run();
  }

  async deleteUserSessions(userId: string): Promise<void> {
    this.db.delete(sessions).where(eq(sessions.userId, userId)).run();
  }

  async deleteExpiredSessions(): Promise<void> {
    deleteExpiredSessions(this.db);
  }
}

/** Sessions past their idle or absolute expiry. Plain SQL: no cookie is involved. */
export function deleteExpiredSessions(db: DB) {
  const now = Date.now();
  db.delete(sessions)
    .where(or(lt(sessions.expiresAt, Math.floor(now / 1000)), lt(sessions.absoluteExpiresAt, now)))
    .run();
}

/** What the session cookie depends on: APP_URL only. */
export type CookieSettings = Pick<Config, "APP_URL">;

/** The one place that decides the Secure flag. */
export function cookiesAreSecure(settings: CookieSettings) {
  return new URL(settings.APP_URL).protocol === "https:";
}

function createLucia(db: DB, secure: boolean) {
  return new Lucia(new DrizzleAdapter(db), {
    sessionExpiresIn: IDLE_TIMEOUT,
    sessionCookie: {
      name: SESSION_COOKIE,
      expires: true,
      attributes: { secure, sameSite: "lax" },
    },
    getUserAttributes: (a) => a,
    getSessionAttributes: (a) => a,
  });
}

declare module "lucia" {
  interface Register {
    Lucia: ReturnType<typeof createLucia>;
    DatabaseUserAttributes: UserAttributes;
    DatabaseSessionAttributes: SessionAttributes;
  }
}

// Per database and per Secure value: whoever asks first, every caller gets the instance its
// APP_URL calls for.
const instances = new WeakMap<DB, Map<boolean, ReturnType<typeof createLucia>>>();
export function luciaFor(db: DB, settings: CookieSettings) {
  const secure = cookiesAreSecure(settings);
  let byDb = instances.get(db);
  if (!byDb) instances.set(db, (byDb = new Map()));
  let lucia = byDb.get(secure);
  if (!lucia) byDb.set(secure, (lucia = createLucia(db, secure)));
  return lucia;
}
