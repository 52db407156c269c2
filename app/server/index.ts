// `npm start` / `npm run dev`: validates configuration, migrates, seeds the demo program into
// an empty database, serves the app and hosts the scheduler; stops cleanly on SIGTERM/SIGINT.
import type { ServerBuild } from "@remix-run/node";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { seedDemoIfEmpty } from "../../db/seed/demo-if-empty";
import { closeDatabase, openDatabase, runMigrations } from "../db.server";
import { ecosystemReport } from "../domain/ecosystem.server";
import { ensureRollups } from "../domain/rollups.server";
import { stopDeliveries } from "../reports/delivery-worker.server";
import { webhooksRunning } from "../webhooks/drain.server";
import { startScheduler } from "../jobs/scheduler.server";
import { createMailer } from "../mailer.server";
import { createQueueMailer, kickOutbox, stopOutbox } from "../mail/outbox.server";
import { createApp } from "./app";
import { ConfigError, loadConfig } from "../config.server";

const dev = process.argv.includes("--dev");
const started = Date.now();

let config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

const db = openDatabase(config.DATABASE_PATH);
runMigrations(db);
if (config.DEMO && (await seedDemoIfEmpty(db))) {
  console.log("Seeded the demo program (password for every demo account: portal-demo).");
}
// Analytics rollups are maintained with every deal change; a database that has deals but was
// never rolled up (migrated from before the rollups, or loaded by hand) is rolled up once here.
if (ensureRollups(db)) console.log("Built the analytics rollups.");
// Requests and jobs only enqueue (decision 0018); the transport is the outbox drain's.
const transport = createMailer(config);
const mailer = createQueueMailer({ db, config }, transport);
// Messages enqueued while no process was up (or by one that crashed before its drain ran).
void kickOutbox({ db, config, transport });

let build: ServerBuild | (() => Promise<ServerBuild>);
let viteMiddleware;
if (dev) {
  const vite = await import("vite");
  const viteServer = await vite.createServer({ server: { middlewareMode: true } });
  viteMiddleware = viteServer.middlewares;
  build = () => viteServer.ssrLoadModule("virtual:remix/server-build") as Promise<ServerBuild>;
} else {
  build = (await import(pathToFileURL(path.resolve("build/server/index.js")).href)) as ServerBuild;
}

const app = createApp({ config, db, mailer, build, viteMiddleware });
const scheduler = config.SCHEDULER ? startScheduler({ db, config, mailer }) : null;

const server = app.listen(config.PORT, config.HOST, () => {
  // Fill the ecosystem figures' cache now rather than on the first staff request: on a large
  // program the first computation reads every partner's monthly rollups.
  setImmediate(() => {
    try {
      ecosystemReport(db);
    } catch (error) {
      console.error("Warming the ecosystem figures failed:", error);
    }
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config!.PORT;
  console.log(
    `Partner portal on http://${config!.HOST === "127.0.0.1" ? "localhost" : config!.HOST}:${port}` +
      ` (${dev ? "dev" : "production"}, ready in ${Date.now() - started} ms;` +
      ` mail: ${transport.kind === "smtp" ? "SMTP" : config!.OUTBOX_DIR}; scheduler: ${scheduler ? "on" : "off"})`,
  );
});

let stopping = false;
function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: shutting down`);
  scheduler?.stop();
  server.close(async () => {
    // A delivery run in flight finishes its current message before the database closes.
    await Promise.all([stopDeliveries(), stopOutbox(), webhooksRunning()]);
    mailer.close();
    closeDatabase(db);
    process.exit(0);
  });
  server.closeIdleConnections();
  setTimeout(() => process.exit(1), 10_000).unref();
}
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));
