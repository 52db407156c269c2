// `npm run api`: API keys for automation and tests. The key is printed once (stdout, alone on
// its line with --quiet) and stored hashed; the audit names the CLI.
//
//   npm run api -- key create --name crm --scopes deals:read,deals:write [--partner acme]
//   npm run api -- key list
//   npm run api -- key revoke --id 3
import { parseArgs } from "node:util";
import { eq } from "drizzle-orm";
import { API_SCOPES, partners } from "../../db/schema";
import { ApiKeyError, createApiKey, listApiKeys, revokeApiKey } from "../api/keys.server";
import { closeDatabase, openDatabase, runMigrations } from "../db.server";

const USAGE = `Usage: npm run api -- key <create|list|revoke> [options]

  key create --name NAME --scopes S1,S2 [--partner SLUG]
                       create a key (printed once); scopes: ${API_SCOPES.join(", ")}
                       --partner makes a partner-scoped key (deals:read, deals:write, attribution:read)
  key list             list keys (never the keys themselves)
  key revoke --id ID   revoke a key
  --quiet              create: print only the key
  --database PATH      SQLite file (default: $DATABASE_PATH or ./data/portal.db)`;

const CLI_ACTOR = { id: null, label: "cli (npm run api)" };

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

let parsed;
try {
  parsed = parseArgs({
    args: process.argv.slice(2),
    strict: true,
    allowPositionals: true,
    options: {
      name: { type: "string" },
      scopes: { type: "string" },
      partner: { type: "string" },
      id: { type: "string" },
      quiet: { type: "boolean", default: false },
      database: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
} catch (error) {
  fail((error as Error).message);
}
const { values, positionals } = parsed;
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const [noun, verb] = positionals;
if (noun !== "key" || !["create", "list", "revoke"].includes(verb ?? "")) fail("Say what to do: key create, key list or key revoke.");

const db = openDatabase(values.database ?? process.env.DATABASE_PATH ?? "./data/portal.db");
runMigrations(db);
try {
  if (verb === "create") {
    if (!values.name) fail("Name the key: --name crm");
    if (!values.scopes) fail(`Give its scopes: --scopes deals:read,deals:write (from ${API_SCOPES.join(", ")})`);
    let partnerId: number | null = null;
    if (values.partner) {
      partnerId = db.select({ id: partners.id }).from(partners).where(eq(partners.slug, values.partner)).get()?.id ?? null;
      if (partnerId === null) fail(`No partner has the slug ${values.partner}.`);
    }
    const key = createApiKey(db, CLI_ACTOR, { name: values.name, scopes: values.scopes, partnerId });
    if (values.quiet) console.log(key.key);
    else {
      console.log(`Created API key "${key.name}" (id ${key.id}, scopes ${key.scopes.join(", ")}${partnerId ? `, partner ${values.partner}` : ""}).`);
      console.log(`Key (shown once, store it now):\n${key.key}`);
    }
  } else if (verb === "list") {
    for (const k of listApiKeys(db, { partnerId: null })) {
      console.log(
        [k.id, k.name, `${k.prefix}…`, k.scopes.join(","), k.partnerName ?? "program", k.lastUsedAt?.toISOString() ?? "never used", k.revokedAt ? "revoked" : "active"].join("\t"),
      );
    }
  } else {
    const id = Number(values.id);
    if (!Number.isInteger(id) || id <= 0) fail("Give the key's id: --id 3 (see key list).");
    console.log(revokeApiKey(db, CLI_ACTOR, id, { partnerId: null }) ? `Revoked key ${id}.` : `Key ${id} was already revoked.`);
  }
} catch (error) {
  if (error instanceof ApiKeyError) {
    console.error(error.message);
    process.exitCode = 1;
  } else throw error;
} finally {
  closeDatabase(db);
}
