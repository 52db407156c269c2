// `npm run bench:http`: the portal's pages under load, next to a bare Remix 2 page and a static
// file measured in the same run. On the 10,000-partner / 1,000,000-deal program (seeded once into
// data/bench/10k-1m.db, or copied from /work/big/big.db, and reused), starts the built server on
// 127.0.0.1 — one process, then WEB_CONCURRENCY=2 — signs in as a median partner, the largest
// partner and a manager, and drives every page at 10 and 50 connections with wrk where it is
// installed (`apt-get install wrk`: a C load generator, so less of the 2 cores goes to the load
// itself) or else autocannon; the steady-rate run is always autocannon's. Prints
// req/s, p50, p99 and bytes per page with the ratio to the bare page, the server's event-loop
// delay during each run (SERVER_STATS=1, /__server-stats), and the median partner's dashboard p99
// while a monthly report run executes inside the server, next to its idle p99.
//
//   npm run bench:http                                   # everything (about 15 minutes)
//   npm run bench:http -- --pages /dashboard,/attribution --duration 5 --connections 10
//   npm run bench:http -- --smoke                        # demo program, seconds (a vitest test runs it)
//
// Targets (issue 15): median /dashboard ≥ 0.7× the bare page with one process, ≥ 1.5× that with
// one process per core, p99 ≤ 100 ms at 10 connections; dashboard p99 during a run ≤ 2× idle.
import autocannon from "autocannon";
import Database from "better-sqlite3";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { startSmtpServer } from "../support/smtp";

const ROOT = path.resolve(import.meta.dirname, "../..");
const BIG_DB = path.join(ROOT, "data/bench/10k-1m.db");
const BARE_BUILD = path.join(ROOT, "data/bench/bare-build");
const PASSWORD = "portal-demo";

const USAGE = `Usage: npm run bench:http -- [options]

  --smoke              the demo program in a temporary database, 1 s runs at 10 connections (seconds)
  --pages LIST         only these paths, comma-separated (default: every page)
  --duration S         seconds per load run (default 10; smoke 1)
  --connections LIST   connection counts (default 10,50; smoke 10)
  --processes LIST     server process counts to run (default 1,2; smoke 1,2)
  --database PATH      the program to run on (default data/bench/10k-1m.db, seeded if missing)
  --timeout S          a page that takes longer for one request is not load-tested (default 30)
  --who LIST           only pages of these users: median,largest,manager (default: all)
  --no-batch           skip the dashboard-during-a-monthly-run measurement
  --generator NAME     wrk or autocannon (default: wrk when it is on the PATH)`;

const { values: args } = parseArgs({
  options: {
    smoke: { type: "boolean", default: false },
    pages: { type: "string" },
    duration: { type: "string" },
    connections: { type: "string" },
    processes: { type: "string" },
    database: { type: "string" },
    timeout: { type: "string", default: "30" },
    "no-batch": { type: "boolean", default: false },
    who: { type: "string" },
    generator: { type: "string" },
    help: { type: "boolean", default: false },
  },
});
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}

function numbers(name: string, value: string | undefined, fallback: number[]): number[] {
  if (value === undefined) return fallback;
  const list = value.split(",").map((v) => Number(v.trim()));
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 1)) {
    console.error(`--${name} must be whole numbers ≥ 1, comma-separated; got ${JSON.stringify(value)}\n\n${USAGE}`);
    process.exit(2);
  }
  return list;
}

const smoke = args.smoke;
const duration = numbers("duration", args.duration, [smoke ? 1 : 10])[0]!;
const connectionCounts = numbers("connections", args.connections, smoke ? [10] : [10, 50]);
const processCounts = numbers("processes", args.processes, [1, 2]);
const timeoutS = numbers("timeout", args.timeout, [30])[0]!;
const onlyPages = args.pages?.split(",").map((p) => p.trim()).filter(Boolean);
const onlyWho = args.who?.split(",").map((w) => w.trim()).filter(Boolean);
const wrkInstalled = (process.env.PATH ?? "").split(path.delimiter).some((dir) => dir && fs.existsSync(path.join(dir, "wrk")));
if (args.generator !== undefined && args.generator !== "wrk" && args.generator !== "autocannon") {
  console.error(`--generator must be wrk or autocannon, got ${JSON.stringify(args.generator)}\n\n${USAGE}`);
  process.exit(2);
}
if (args.generator === "wrk" && !wrkInstalled) {
  console.error("--generator wrk: wrk is not on the PATH (apt-get install wrk)");
  process.exit(2);
}
const generator: "wrk" | "autocannon" = (args.generator as "wrk" | "autocannon" | undefined) ?? (wrkInstalled ? "wrk" : "autocannon");

type Who = "median" | "largest" | "manager" | "admin";
type Target = { name: string; who: Who | "none" | "bare"; path: string };

function previousPeriod(now = new Date()): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return d.toISOString().slice(0, 7);
}

function partnerPages(period: string) {
  return ["/dashboard", "/deals", "/deals/new", "/attribution", "/tier", "/reports", `/reports/${period}`, "/team", "/account"];
}

function internalPages(largestSlug: string) {
  return [
    "/internal",
    "/internal/partners",
    `/internal/partners/${largestSlug}`,
    "/internal/registrations",
    "/internal/applications",
    "/internal/metrics",
    "/internal/ecosystem",
    "/internal/reports",
    "/internal/tier-reviews",
    "/internal/team",
    "/internal/settings",
    "/internal/outbox",
    "/internal/imports",
  ];
}

// ---------------------------------------------------------------------------------------------
// The program, the builds, the servers.

function prepareDatabase(): string {
  if (smoke) {
    // The server's primary seeds the demo program into an empty database (DEMO=1).
    return path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-http-")), "demo.db");
  }
  const file = path.resolve(args.database ?? BIG_DB);
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (file === BIG_DB && fs.existsSync("/work/big/big.db")) {
    console.log(`Copying the seeded program /work/big/big.db to ${path.relative(ROOT, file)}…`);
    execFileSync("sqlite3", ["/work/big/big.db", `.backup ${file}`]);
  } else {
    console.log(`Seeding 10,000 partners and 1,000,000 deals into ${path.relative(ROOT, file)} (once, about 90 s)…`);
    execFileSync("npx", ["tsx", "app/cli/seed.ts", "--partners", "10000", "--deals", "1000000", "--seed", "7", "--database", file, "--force"], {
      cwd: ROOT,
      stdio: "inherit",
    });
  }
  return file;
}

function ensureBuilds() {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("VITEST")));
  if (!fs.existsSync(path.join(ROOT, "build/server/index.js"))) {
    execFileSync("npx", ["remix", "vite:build", "--logLevel", "error"], { cwd: ROOT, stdio: "inherit", env: { ...env, NODE_ENV: "production" } });
  }
  if (!fs.existsSync(path.join(BARE_BUILD, "server/index.js"))) {
    execFileSync("npx", ["remix", "vite:build", "tests/bench/bare", "--config", "tests/bench/bare/vite.config.ts", "--logLevel", "error"], {
      cwd: ROOT,
      stdio: "inherit",
      env: { ...env, NODE_ENV: "production" },
    });
  }
}

type Running = { url: string; child: ChildProcess; stop(): Promise<void> };

function startProcess(argv: string[], env: Record<string, string>, ready: RegExp): Promise<Running> {
  const child = spawn(process.execPath, ["--import", "tsx", ...argv], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stderr!.on("data", (c: Buffer) => {
    out += c.toString();
    if (!smoke) process.stderr.write(c);
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      const port = ready.exec(out)?.[1];
      if (port) {
        resolve({
          url: `http://127.0.0.1:${port}`,
          child,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.once("exit", () => done());
              child.kill("SIGTERM");
            }),
        });
      }
    });
    child.once("exit", (code) => reject(new Error(`${argv.join(" ")} stopped (${code}):\n${out}`)));
  });
}

function startPortal(file: string, processes: number, smtpPort: number) {
  return startProcess(
    ["app/server/index.ts"],
    {
      NODE_ENV: "production",
      DATABASE_PATH: file,
      HOST: "127.0.0.1",
      PORT: "0",
      DEMO: smoke ? "1" : "0",
      SCHEDULER: "0",
      WEB_CONCURRENCY: String(processes),
      SERVER_STATS: "1",
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      APP_SECRET: "bench-http-secret-not-for-production-000000",
    },
    /Partner portal on http:\/\/localhost:(\d+)/,
  );
}

// ---------------------------------------------------------------------------------------------
// Who signs in.

type People = { median: string; largest: string; largestSlug: string; largestDeals: number; medianDeals: number };

function choosePeople(file: string): People {
  const sqlite = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = sqlite
      .prepare(
        `select p.slug as slug, count(d.id) as deals from partners p left join deals d on d.partner_id = p.id
         where exists (select 1 from users u where u.partner_id = p.id and u.email = 'admin@' || p.slug || '.demo.test' and u.disabled_at is null)
         group by p.id order by deals, p.id`,
      )
      .all() as { slug: string; deals: number }[];
    if (rows.length === 0) throw new Error(`No demo partner admin (admin@<slug>.demo.test) in ${file}: seed it with npm run db:seed.`);
    const median = rows[Math.floor(rows.length / 2)]!;
    const largest = rows[rows.length - 1]!;
    return {
      median: `admin@${median.slug}.demo.test`,
      medianDeals: median.deals,
      largest: `admin@${largest.slug}.demo.test`,
      largestSlug: largest.slug,
      largestDeals: largest.deals,
    };
  } finally {
    sqlite.close();
  }
}

async function signIn(url: string, email: string): Promise<string> {
  const res = await fetch(`${url}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { origin: url, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email, password: PASSWORD }).toString(),
  });
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith("pp_session="));
  if (!cookie) throw new Error(`Signing in as ${email} failed: ${res.status} ${await res.text()}`);
  return cookie.split(";")[0]!;
}

// ---------------------------------------------------------------------------------------------
// Measuring.

type Stats = { pid: number; eventLoopDelayMs: { p50: number; p99: number; max: number }; eventLoopUtilisation: number; cpuMs: number; rssBytes: number };

async function serverStats(url: string, reset: boolean): Promise<Stats | null> {
  const res = await fetch(`${url}/__server-stats${reset ? "?reset=1" : ""}`).catch(() => null);
  return res?.ok ? ((await res.json()) as Stats) : null;
}

/** blockMs: the event loop's longest delay during the request (one process only). */
type Single = { status: number; ms: number; bytes: number; blockMs?: number };

async function single(url: string, cookie: string | null): Promise<Single> {
  const started = performance.now();
  const res = await fetch(url, { redirect: "manual", headers: cookie ? { cookie } : {}, signal: AbortSignal.timeout(timeoutS * 1000) }).catch(() => null);
  if (!res) return { status: 0, ms: performance.now() - started, bytes: 0 };
  const body = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, ms: performance.now() - started, bytes: body.byteLength };
}

/**
 * cpuMsPerRequest: the server's CPU time (every thread, user + system) over the requests it
 * answered — unlike req/s, hardly moved by the load generator sharing the cores. Known for one
 * process only (with several, the stats come from whichever worker answers).
 */
type Load = { rps: number; p50: number; p99: number; errors: number; non2xx: number; loop: Stats | null; cpuMsPerRequest: number | null };

/** One load run's figures, whichever generator ran it. */
type Run = { rps: number; p50: number; p99: number; errors: number; non2xx: number; answered: number };

async function autocannonRun(url: string, cookie: string | null, connections: number, seconds: number, overallRate?: number): Promise<Run> {
  const result = await autocannon({ url, connections, duration: seconds, timeout: timeoutS, headers: cookie ? { cookie } : {}, ...(overallRate ? { overallRate } : {}) });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    answered: (result.requests as { total?: number }).total ?? 0, // in autocannon's result, not its types
  };
}

/** wrk's "12.34ms" / "850.00us" / "1.20s" in milliseconds. */
function wrkMs(value: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(value);
  if (!m) throw new Error(`wrk: cannot read the duration ${JSON.stringify(value)}`);
  return Number(m[1]) * { us: 0.001, ms: 1, s: 1000, m: 60_000 }[m[2] as "us" | "ms" | "s" | "m"];
}

/** Reads wrk --latency's report (one thread): req/s, p50, p99, errors, non-2xx/3xx, requests. */
function parseWrk(output: string): Run {
  const find = (re: RegExp) => {
    const m = re.exec(output);
    if (!m) throw new Error(`wrk: no ${re} in its output:\n${output}`);
    return m;
  };
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    rps: Number(find(/Requests\/sec:\s+([\d.]+)/)[1]),
    p50: wrkMs(find(/^\s+50%\s+(\S+)/m)[1]!),
    p99: wrkMs(find(/^\s+99%\s+(\S+)/m)[1]!),
    errors: socket ? socket.slice(1).reduce((n, v) => n + Number(v), 0) : 0,
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0),
    answered: Number(find(/(\d+) requests in/)[1]),
  };
}

function wrkRun(url: string, cookie: string | null, connections: number, seconds: number): Promise<Run> {
  const argv = ["-t1", `-c${connections}`, `-d${seconds}s`, "--latency", `--timeout=${timeoutS}s`, ...(cookie ? ["-H", `Cookie: ${cookie}`] : []), url];
  return new Promise((resolve, reject) => {
    const child = spawn("wrk", argv, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) reject(new Error(`wrk exited with ${code}:\n${out}`));
      else {
        try {
          resolve(parseWrk(out));
        } catch (error) {
          reject(error);
        }
      }
    });
  });
}

async function load(base: string, pathname: string, cookie: string | null, connections: number, seconds = duration, stats = true, processes = 1, overallRate?: number): Promise<Load> {
  // wrk keeps no steady rate: that run is autocannon's, which corrects for coordinated omission.
  const run = (s: number) =>
    generator === "wrk" && !overallRate ? wrkRun(base + pathname, cookie, connections, s) : autocannonRun(base + pathname, cookie, connections, s, overallRate);
  // Every process warm (JIT, statement caches, first-use figures) before anything is counted.
  if (!smoke) await run(Math.min(3, seconds));
  if (stats) await serverStats(base, true);
  const result = await run(seconds);
  const loop = stats ? await serverStats(base, true) : null;
  return {
    rps: result.rps,
    p50: result.p50,
    p99: result.p99,
    errors: result.errors,
    non2xx: result.non2xx,
    loop,
    cpuMsPerRequest: loop && processes === 1 && result.answered > 0 ? loop.cpuMs / result.answered : null,
  };
}

/**
 * The steady arrival rate of the dashboard's latency run: far above a 10,000-partner program's
 * peak (2,000 partner users at once, a page every 40 s each) and below one process's capacity.
 */
const STEADY_RATE = 50;

type Row = { target: Target; processes: number; connections: number | null; first: Single; load: Load | null; note?: string };

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

function printRows(rows: Row[]) {
  const bare = new Map<string, number>();
  for (const r of rows) if (r.target.who === "bare" && r.load) bare.set(`${r.connections}`, r.load.rps);
  const header = ["page", "who", "procs", "conns", "req/s", "p50 ms", "p99 ms", "KB", "first ms", "block ms", "×bare", "CPU ms/req", "loop p99/max ms"];
  const lines = rows.map((r) => [
    r.target.path,
    r.target.who,
    String(r.processes),
    r.connections === null ? "—" : String(r.connections),
    r.load ? fmt(r.load.rps, 1) : "—",
    r.load ? fmt(r.load.p50) : "—",
    r.load ? fmt(r.load.p99) : "—",
    fmt(r.first.bytes / 1024, 1),
    fmt(r.first.ms),
    r.first.blockMs !== undefined ? fmt(r.first.blockMs) : "—",
    r.load && bare.get(`${r.connections}`) ? `${fmt(r.load.rps / bare.get(`${r.connections}`)!, 2)}×` : "—",
    r.load?.cpuMsPerRequest != null ? fmt(r.load.cpuMsPerRequest, 2) : "—",
    r.load?.loop ? `${fmt(r.load.loop.eventLoopDelayMs.p99)}/${fmt(r.load.loop.eventLoopDelayMs.max)}` : "—",
  ].concat(r.note ? [r.note] : []));
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 3 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  console.log(line(header));
  for (const l of lines) console.log(line(l.slice(0, header.length)) + (l[header.length] ? `  ${l[header.length]}` : ""));
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const file = prepareDatabase();
  ensureBuilds();
  const smtp = await startSmtpServer({ discard: true });
  const period = previousPeriod();
  const rows: Row[] = [];
  const summary: string[] = [];
  let people: People | null = null;
  const dashboardRps = new Map<number, number>();
  const running: Running[] = [];
  try {
    for (const processes of processCounts) {
      const portal = await startPortal(file, processes, smtp.port);
      running.push(portal);
      people ??= choosePeople(file);
      const cookies: Record<string, string> = {
        median: await signIn(portal.url, people.median),
        largest: await signIn(portal.url, people.largest),
        manager: await signIn(portal.url, "manager@demo.test"),
        admin: await signIn(portal.url, "admin@demo.test"),
      };
      const bare = await startProcess(["tests/bench/bare/server.ts", file, BARE_BUILD], {}, /listening (\d+)/);
      running.push(bare);
      const targets: (Target & { base: string })[] = [
        { name: "bare", who: "bare" as const, path: "/ (bare Remix page)", base: bare.url },
        { name: "static", who: "none" as const, path: "/favicon.svg", base: portal.url },
        ...partnerPages(period).flatMap((p) => [
          { name: p, who: "median" as const, path: p, base: portal.url },
          { name: p, who: "largest" as const, path: p, base: portal.url },
        ]),
        // Settings are the program admin's; every other internal page is a manager's too.
        ...internalPages(people.largestSlug).map((p) => ({ name: p, who: p === "/internal/settings" ? ("admin" as const) : ("manager" as const), path: p, base: portal.url })),
      ]
        .filter((t) => !onlyPages || t.who === "bare" || t.who === "none" || onlyPages.includes(t.path))
        .filter((t) => !onlyWho || t.who === "bare" || t.who === "none" || onlyWho.includes(t.who === "admin" ? "manager" : t.who));
      // The cluster run measures what more processes change: the median dashboard and the references.
      const measured = processes === 1 ? targets : targets.filter((t) => t.who === "bare" || t.who === "none" || (t.path === "/dashboard" && t.who === "median"));
      for (const target of measured) {
        const cookie = target.who === "bare" ? cookies.median! : target.who === "none" ? null : cookies[target.who]!;
        const url = target.who === "bare" ? `${target.base}/` : target.base + target.path;
        await single(url, cookie); // warm: first-use caches, statements, the page's code
        // The event loop's longest delay while it serves this one request: how long the page's
        // handler blocks every other request (one process: the stats are that process's).
        // monitorEventLoopDelay records the gap between two of its samples, and its first sample
        // after a reset only starts the clock: a request sent right after the reset would go
        // unmeasured. Its 10 ms samples run before and after the request.
        const settle = () => new Promise((resolve) => setTimeout(resolve, 40));
        if (processes === 1) await serverStats(target.base, true).then(settle);
        const first = await single(url, cookie);
        if (processes === 1) first.blockMs = await settle().then(async () => (await serverStats(target.base, true))?.eventLoopDelayMs.max);
        if (first.status !== 200 || first.ms > timeoutS * 1000) {
          rows.push({ target, processes, connections: null, first, load: null, note: first.status === 0 ? `no answer in ${timeoutS} s` : `status ${first.status}` });
          continue;
        }
        for (const connections of connectionCounts) {
          const bareTarget = target.who === "bare";
          const result = await load(target.base, bareTarget ? "/" : target.path, cookie, connections, duration, true, processes);
          rows.push({ target, processes, connections, first, load: result, note: result.errors || result.non2xx ? `${result.errors} errors, ${result.non2xx} non-2xx` : undefined });
          if (target.path === "/dashboard" && target.who === "median" && connections === connectionCounts[0]) dashboardRps.set(processes, result.rps);
        }
        if (target.path === "/dashboard" && target.who === "median") {
          // Closed-loop connections measure saturation: latency there is connections ÷ throughput.
          // At a steady arrival rate below capacity (autocannon corrects for coordinated
          // omission) the percentiles are what a user waits at that traffic.
          const steady = await load(target.base, target.path, cookie, connectionCounts[0]!, duration, false, processes, STEADY_RATE);
          summary.push(
            `median /dashboard, ${processes} process${processes > 1 ? "es" : ""}, a steady ${STEADY_RATE} req/s over ${connectionCounts[0]} connections: ` +
              `p50 ${fmt(steady.p50)} ms, p99 ${fmt(steady.p99)} ms (${fmt(steady.rps, 1)} req/s answered)`,
          );
        }
      }

      if (processes === 1 && !args["no-batch"] && (!onlyPages || onlyPages.includes("/dashboard"))) {
        summary.push(await duringMonthlyRun(portal.url, file, cookies.median!, cookies.admin!, period));
      }
      await Promise.all(running.splice(0).map((r) => r.stop()));
    }
  } finally {
    await Promise.all(running.map((r) => r.stop()));
    await smtp.close();
  }

  console.log(
    `\nbench:http on ${smoke ? "the demo program (smoke)" : path.relative(ROOT, file)}, ${duration} s per run, ${os.availableParallelism()} cores, load by ${generator === "wrk" ? "wrk (one thread)" : "autocannon"}`,
  );
  if (people) console.log(`median partner ${people.median} (${fmt(people.medianDeals)} deals), largest ${people.largest} (${fmt(people.largestDeals)} deals), manager manager@demo.test`);
  printRows(rows);
  const ref = (who: Target["who"], processes: number) => rows.find((r) => r.target.who === who && r.processes === processes && r.connections === connectionCounts[0])?.load?.rps;
  for (const processes of processCounts) {
    const bareRps = ref("bare", processes);
    const staticRps = ref("none", processes);
    const dash = dashboardRps.get(processes);
    console.log(
      `${processes} process${processes > 1 ? "es" : ""}, ${connectionCounts[0]} connections: bare page ${bareRps ? fmt(bareRps, 1) : "—"} req/s, static file ${staticRps ? fmt(staticRps, 1) : "—"} req/s, ` +
        `median /dashboard ${dash ? fmt(dash, 1) : "—"} req/s = ${dash && bareRps ? fmt(dash / bareRps, 2) : "—"}× bare (target ≥ 0.70×)`,
    );
  }
  const cpuOf = (who: Target["who"], pathname: string | null) =>
    rows.find((r) => r.target.who === who && (pathname === null || r.target.path === pathname) && r.processes === 1 && r.connections === connectionCounts[0])?.load?.cpuMsPerRequest;
  const [bareCpu, dashCpu] = [cpuOf("bare", null), cpuOf("median", "/dashboard")];
  if (bareCpu && dashCpu) {
    console.log(
      `server CPU per request, one process: bare page ${fmt(bareCpu, 2)} ms, median /dashboard ${fmt(dashCpu, 2)} ms = ` +
        `${fmt(bareCpu / dashCpu, 2)}× the bare page's requests per CPU second (the req/s ratio without the load generator's share)`,
    );
  }
  const one = dashboardRps.get(1);
  for (const [processes, rps] of dashboardRps) {
    if (processes > 1 && one) console.log(`median /dashboard with ${processes} processes: ${fmt(rps / one, 2)}× its one-process req/s (target ≥ 1.5×)`);
  }
  for (const line of summary) console.log(line);
  const slowest = rows.filter((r) => r.processes === 1 && r.target.who !== "bare").sort((a, b) => b.first.ms - a.first.ms)[0];
  if (slowest) console.log(`slowest single request: ${slowest.target.path} as ${slowest.target.who}, ${fmt(slowest.first.ms)} ms, ${fmt(slowest.first.bytes / 1024, 1)} KB`);
  // Under load the loop's delay also counts the requests queued behind each other (10 connections
  // × a few ms each); one request alone shows how long a single handler holds the loop.
  const blockWorst = rows.filter((r) => r.first.blockMs !== undefined && r.target.who !== "bare").sort((a, b) => b.first.blockMs! - a.first.blockMs!)[0];
  if (blockWorst) console.log(`longest event-loop block by one request alone: ${fmt(blockWorst.first.blockMs!)} ms (${blockWorst.target.path} as ${blockWorst.target.who}; target ~50 ms; includes the 10 ms sampling resolution)`);
  const loopWorst = rows.filter((r) => r.load?.loop).sort((a, b) => b.load!.loop!.eventLoopDelayMs.max - a.load!.loop!.eventLoopDelayMs.max)[0];
  if (loopWorst) console.log(`longest event-loop delay under load: ${fmt(loopWorst.load!.loop!.eventLoopDelayMs.max)} ms (${loopWorst.target.path} as ${loopWorst.target.who}, ${loopWorst.connections} connections; requests queued behind each other)`);
  if (smoke) fs.rmSync(path.dirname(file), { recursive: true, force: true });
}

/** The median dashboard's p99 at 10 connections idle, then while the server runs a monthly report batch. */
async function duringMonthlyRun(url: string, file: string, median: string, admin: string, period: string): Promise<string> {
  const idle = await load(url, "/dashboard", median, 10);
  // The bench's own copy of the program: the period's earlier deliveries go, so the run sends again.
  const sqlite = new Database(file);
  sqlite.prepare("delete from report_deliveries where period = ?").run(period);
  const res = await fetch(`${url}/internal/reports`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie: admin, origin: url, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ intent: "send", period }).toString(),
  });
  if (res.status !== 302) throw new Error(`Starting the monthly run failed: ${res.status} ${await res.text()}`);
  const queued = (sqlite.prepare("select count(*) as n from report_deliveries where period = ?").get(period) as { n: number }).n;
  const busy = await load(url, "/dashboard", median, 10);
  const sent = (sqlite.prepare("select count(*) as n from report_deliveries where period = ? and status = 'sent'").get(period) as { n: number }).n;
  sqlite.close();
  return (
    `median /dashboard during a monthly run (${fmt(queued)} reports queued, ${fmt(sent)} sent during the ${duration} s): ` +
    `p99 ${fmt(busy.p99)} ms vs ${fmt(idle.p99)} ms idle = ${idle.p99 ? fmt(busy.p99 / idle.p99, 2) : "—"}× (target ≤ 2×); ` +
    `req/s ${fmt(busy.rps, 1)} vs ${fmt(idle.rps, 1)}; event-loop max ${busy.loop ? fmt(busy.loop.eventLoopDelayMs.max) : "—"} ms vs ${idle.loop ? fmt(idle.loop.eventLoopDelayMs.max) : "—"} ms idle`
  );
}

await main();
process.exit(0);
