// `npm run db:migrate`: applies pending migrations to DATABASE_PATH (the server does this at
// start too; this is for operators and CI).
import { closeDatabase, openDatabase, runMigrations } from "../app/db.server";
import { loadConfig } from "../app/config.server";

const config = loadConfig();
const db = openDatabase(config.DATABASE_PATH);
runMigrations(db);
closeDatabase(db);
console.log(`Migrated ${config.DATABASE_PATH}`);
