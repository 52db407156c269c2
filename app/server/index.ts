// `npm start` / `npm run dev`: validates configuration, migrates, seeds the demo program into
// an empty database, then serves the app with one process per core (node:cluster,
// WEB_CONCURRENCY; the primary migrates and seeds once before forking, restarts a worker that
// dies, and stops them all on SIGTERM/SIGINT). Each worker serves on the shared port, reads the
// database in WAL mode and hosts the scheduler, whose ticks are claimed in job_runs so that
// scheduled work runs once across processes. With one process (WEB_CONCURRENCY=1, or dev) the
// primary serves itself, as before.
import type { ServerBuild } from "@remix-run/node";
import cluster, { type Worker } from "node:cluster";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { seedDemoIfEmpty } from "../../db/seed/demo-if-empty";
import { closeDatabase, openDatabase, runMigrations, type DB } from "../db.server";
import { ecosystemReport } from "../domain/ecosystem.server";
import { ensureRollups } from "../domain/rollups.server";
import { stopDeliveries } from "../reports/delivery-worker.server";
import { closePdfPool, pdfThreads, renderingProcessEnv } from "../reports/pdf-pool.server";
import { webhooksRunning } from "../webhooks/drain.server";
import { startScheduler } from "../jobs/scheduler.server";
import { createMailer } from "../mailer.server";
import { createQueueMailer, kickOutbox, stopOutbox } from "../mail/outbox.server";
import { createApp } from "./app";
import { ConfigError, loadConfig, type Config } from "../config.server";

const dev = process.argv.includes("--dev");
const started = Date.now();

let config: Config;
try {
  config = loadConfig();
  pdfThreads();
} catch (error) {
  if (error instanceof ConfigError || (error instanceof Error && error.message.startsWith("PDF_THREADS"))) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
const processes = dev ? 1 : config.WEB_CONCURRENCY;

if (cluster.isPrimary) {
  const db = openDatabase(config.DATABASE_PATH);
  runMigrations(db);
  if (config.DEMO && (await seedDemoIfEmpty(db))) {
    console.log("Seeded the demo program (password for every demo account: portal-demo).");
  }
  // Analytics rollups are maintained with every deal change; a database that has deals but was
  // never rolled up (migrated from before the rollups, or loaded by hand) is rolled up once here.
  if (ensureRollups(db)) console.log("Built the analytics rollups.");
  if (processes === 1) {
    await serve(db);
  } else {
    closeDatabase(db);
    superviseWorkers(processes);
  }
} else {
  await serve(openDatabase(config.DATABASE_PATH));
}

/** The primary of several processes: forks them, replaces one that dies, stops them all on a signal. */
function superviseWorkers(count: number) {
  let stopping = false;
  let listening = 0;
  const recentRestarts: number[] = [];
  // Each process renders PDFs with its share of the cores' threads (PDF_THREADS unless set) and
  // two malloc arenas (MALLOC_ARENA_MAX unless set): docs/operations.md, "Memory".
  const fork = () => cluster.fork(renderingProcessEnv(count)).on("listening", onListening);
  function onListening(this: Worker, address: { port: number }) {
    if (++listening === count) {
      console.log(
        `Partner portal on ${publicAddress(address.port)} (production, ${count} processes, ready in ${Date.now() - started} ms;` +
          ` mail: ${config.SMTP_URL ? "SMTP" : config.OUTBOX_DIR}; scheduler: ${config.SCHEDULER ? "on" : "off"})`,
      );
    }
  }
  for (let i = 0; i < count; i++) fork();

  cluster.on("exit", (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    // A worker that dies is replaced; one that keeps dying (a bad build, a broken database)
    // is replaced at most once a second so that the log says why instead of spinning.
    const now = Date.now();
    recentRestarts.push(now);
    while (recentRestarts.length && recentRestarts[0]! < now - 10_000) recentRestarts.shift();
    const delay = recentRestarts.length > 3 ? 1000 : 0;
    console.error(`Server process ${worker.process.pid} exited (${signal ?? `code ${code}`}); starting a new one.`);
    listening--;
    setTimeout(() => {
      if (!stopping) fork();
    }, delay);
  });

  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down ${Object.keys(cluster.workers ?? {}).length} server processes`);
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGTERM");
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    setTimeout(() => {
      console.error("Server processes still running after 15 s: killing them.");
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGKILL");
      process.exit(1);
    }, 15_000).unref();
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

function publicAddress(port: number) {
  return `http://${config.HOST === "127.0.0.1" ? "localhost" : config.HOST}:${port}`;
}

/** One serving process: the app, the scheduler, and a clean stop on SIGTERM/SIGINT. */
async function serve(db: DB) {
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
    if (cluster.isWorker) return; // the primary says when all are up
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : config.PORT;
    console.log(
      `Partner portal on ${publicAddress(port)}` +
        ` (${dev ? "dev" : "production"}, ready in ${Date.now() - started} ms;` +
        ` mail: ${transport.kind === "smtp" ? "SMTP" : config.OUTBOX_DIR}; scheduler: ${scheduler ? "on" : "off"})`,
    );
  });

  let stopping = false;
  function shutdown(signal: string) {
    if (stopping) return;
    stopping = true;
    if (cluster.isPrimary) console.log(`${signal}: shutting down`);
    scheduler?.stop();
    server.close(async () => {
      // A delivery run in flight finishes its current message before the database closes.
      await Promise.all([stopDeliveries(), stopOutbox(), webhooksRunning()]);
      await closePdfPool();
      mailer.close();
      closeDatabase(db);
      process.exit(0);
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(1), 10_000).unref();
  }
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  // A worker ignores Ctrl-C itself: the primary receives it too and stops the workers in order.
  process.on("SIGINT", () => (cluster.isWorker ? undefined : shutdown("SIGINT")));
  // A worker whose primary is gone (killed without a chance to stop it) stops too.
  if (cluster.isWorker) process.on("disconnect", () => shutdown("disconnect"));
}
