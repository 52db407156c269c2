// Configuration from the environment, validated once at start. A bad value stops the server
// (or a CLI) with a message naming the variable and what it should be. It lives beside the app,
// not in app/server/, because the domain's contexts (APP_URL for links in emails), the jobs and
// the CLIs read it too, and nothing below the server may import the server.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { isIP } from "node:net";
import os from "node:os";
import path from "node:path";
import { z } from "zod";

const booleanFlag = z
  .enum(["1", "0", "true", "false", "yes", "no", "on", "off", ""])
  .transform((v) => ["1", "true", "yes", "on"].includes(v));

const UNITS: Record<string, number> = { "": 1, b: 1, kib: 1024, kb: 1024, mib: 1024 ** 2, mb: 1024 ** 2 };

/** A size in bytes, written as bytes or with a unit: `65536`, `64KiB`, `3MiB`. */
const byteSize = z
  .string()
  .regex(/^\s*\d+\s*(b|kib|kb|mib|mb)?\s*$/i, "must be a size such as 65536, 64KiB or 3MiB")
  .transform((v) => {
    const [, n, unit = ""] = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(v)!;
    return Number(n) * UNITS[unit.toLowerCase()]!;
  })
  .refine((n) => n >= 1024, "must be at least 1KiB");

const PROXY_NAMES = new Set(["loopback", "linklocal", "uniquelocal"]);

/** An address or CIDR range ("10.0.0.1", "10.0.0.0/8", "::1/128"), or one of Express's names. */
function isProxyAddress(entry: string) {
  if (PROXY_NAMES.has(entry)) return true;
  const [address, prefix, ...rest] = entry.split("/");
  const family = isIP(address);
  if (!family || rest.length) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * Which peers may tell us the client's address in X-Forwarded-For, as Express's `trust proxy`
 * takes it: unset trusts nobody (the peer's own address is the client's), a number trusts that
 * many proxy hops, a comma-separated list trusts those addresses, ranges or names. "true"
 * (trust anyone) is refused: any client could then pick its own address and dodge throttling.
 */
const trustProxy = z
  .string()
  .trim()
  .optional()
  .transform((v, ctx): false | number | string[] => {
    if (!v) return false;
    if (/^\d+$/.test(v)) return Number(v);
    const entries = v.split(",").map((e) => e.trim()).filter(Boolean);
    const bad = entries.filter((e) => !isProxyAddress(e));
    if (bad.length || entries.length === 0) {
      ctx.addIssue({
        code: "custom",
        message:
          `must be a hop count (e.g. 1) or a comma-separated list of proxy addresses, CIDR ranges or ` +
          `loopback/linklocal/uniquelocal (e.g. "loopback" or "10.0.0.0/8"); not understood: ${bad.join(", ") || v}`,
      });
      return z.NEVER;
    }
    return entries;
  });

/**
 * APP_SECRET when the operator set none: a random one kept beside the database file (mode 0600)
 * and reused from then on, so no installation runs on a published key and a restart keeps
 * enrolled authenticators readable. Back it up with the database (README, Security).
 */
export function secretBesideDatabase(databasePath: string): string {
  if (databasePath === ":memory:") return randomBytes(32).toString("hex");
  const file = path.join(path.dirname(path.resolve(databasePath)), "app-secret");
  const read = () => fs.readFileSync(file, "utf8").trim();
  if (fs.existsSync(file)) return read();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const secret = randomBytes(32).toString("hex");
  try {
    fs.writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: "wx" });
    return secret;
  } catch (error) {
    // Another process (a CLI, a second server) created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return read();
    throw error;
  }
}

const schema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    DATABASE_PATH: z.string().min(1).default("./data/portal.db"),
    PORT: z.coerce
      .number({ invalid_type_error: "must be a port number" })
      .int()
      .min(0)
      .max(65535)
      .default(3000),
    HOST: z.string().min(1).default("127.0.0.1"),
    APP_URL: z.string().url("must be an absolute URL such as http://localhost:3000").optional(),
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\//, "must start with smtp:// or smtps://")
      .optional()
      .or(z.literal("").transform(() => undefined)),
    MAIL_FROM: z.string().min(3).default("Partner Program <partners@localhost>"),
    OUTBOX_DIR: z.string().min(1).default("./data/outbox"),
    /** How often an email (or report) is tried before it is a dead letter; 20 ≈ 3 days of backoff. */
    MAIL_MAX_ATTEMPTS: z.coerce
      .number({ invalid_type_error: "must be a whole number such as 20" })
      .int("must be a whole number such as 20")
      .min(1, "must be at least 1")
      .max(100, "must be at most 100")
      .default(20),
    /**
     * The sender's lease on a message, renewed every third of it while it works; a crashed
     * sender's messages are taken over once it runs out. 30 s; tests shorten it.
     */
    MAIL_LEASE_MS: z.coerce
      .number({ invalid_type_error: "must be milliseconds such as 30000" })
      .int()
      .min(1000, "must be at least 1000 (1 s)")
      .max(600_000, "must be at most 600000 (10 min)")
      .default(30_000),
    /** SMTP connection, greeting and socket timeout; keep it below MAIL_LEASE_MS. */
    MAIL_SMTP_TIMEOUT_MS: z.coerce
      .number({ invalid_type_error: "must be milliseconds such as 20000" })
      .int()
      .min(500, "must be at least 500")
      .default(20_000),
    DEMO: booleanFlag.default("1"),
    SCHEDULER: booleanFlag.default("1"),
    /** The largest request body a form may send (every route but the CSV imports). */
    FORM_BODY_LIMIT: byteSize.default("64KiB"),
    /** The largest request body of a CSV import (the file itself is limited to 2 MB by the page). */
    IMPORT_BODY_LIMIT: byteSize.default("3MiB"),
    /** The largest request body of an MDF claim with its proof files (10 MB each, see mdf.server.ts). */
    UPLOAD_BODY_LIMIT: byteSize.default("25MiB"),
    TRUST_PROXY: trustProxy,
    /** Requests per minute each API key may make (token bucket per key and process). */
    API_RATE_LIMIT: z.coerce
      .number({ invalid_type_error: "must be a number of requests per minute, such as 120" })
      .int()
      .min(1, "must be at least 1 request per minute")
      .default(120),
    /** `npm start`'s server processes (node:cluster); unset: one per core. */
    WEB_CONCURRENCY: z
      .string()
      .trim()
      .optional()
      .transform((v, ctx) => {
        if (!v) return os.availableParallelism();
        if (!/^\d+$/.test(v) || Number(v) < 1) {
          ctx.addIssue({ code: "custom", message: "must be a whole number of server processes ≥ 1 (or unset for one per core)" });
          return z.NEVER;
        }
        return Number(v);
      }),
    /** Serves the server's own figures (event-loop delay, RSS, pid) at /__server-stats to loopback clients: for the benchmarks. */
    SERVER_STATS: booleanFlag.default("0"),
    /** Encrypts stored two-factor keys. Changing it makes every enrolled authenticator unreadable. */
    APP_SECRET: z
      .string()
      .min(32, "must be at least 32 characters (e.g. the output of `openssl rand -hex 32`)")
      .optional(),
  })
  .transform((env) => ({
    ...env,
    APP_URL: (env.APP_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, ""),
    APP_SECRET: env.APP_SECRET ?? secretBesideDatabase(env.DATABASE_PATH),
  }));

export type Config = z.output<typeof schema>;

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = schema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map(
      (i) => `  ${i.path.join(".")}=${JSON.stringify(env[String(i.path[0])] ?? "")}: ${i.message}`,
    );
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  return result.data;
}
