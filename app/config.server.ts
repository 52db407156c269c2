// Configuration from the environment, validated once at start. A bad value stops the server
// (or a CLI) with a message naming the variable and what it should be. It lives beside the app,
// not in app/server/, because the domain's contexts (APP_URL for links in emails), the jobs and
// the CLIs read it too, and nothing below the server may import the server.
import { z } from "zod";

const booleanFlag = z
  .enum(["1", "0", "true", "false", "yes", "no", "on", "off", ""])
  .transform((v) => ["1", "true", "yes", "on"].includes(v));

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
    DEMO: booleanFlag.default("1"),
    SCHEDULER: booleanFlag.default("1"),
  })
  .transform((env) => ({
    ...env,
    APP_URL: (env.APP_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, ""),
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
