// `npm run bench:pages`: one request at a time, how long every partner page (for the largest
// and a median partner) and every internal page takes through the real built server, and how
// many bytes of HTML it sends. Runs the production build (`npx remix vite:build` first) in a
// child process over a copy of the 10k/1M program, signs in over HTTP and times each GET from
// the client (loopback: wall time ≈ server time). Pages past --timeout are reported as such.
//
//   npm run bench:pages -- [--database /tmp/pages-bench.db] [--source /work/big/big.db]
//                          [--iterations 5] [--timeout 60] [--port 3192] [--only /dashboard]
//
// The database is copied from --source when missing (SQLite online backup), or seeded
// (10,000 partners, 1,000,000 deals, seed 7) when there is no source either.
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { lastCompletedPeriod } from "../../app/domain/periods";

const { values } = parseArgs({
  options: {
    database: { type: "string" },
    source: { type: "string" },
    iterations: { type: "string" },
    timeout: { type: "string" },
    port: { type: "string" },
    only: { type: "string", multiple: true },
  },
  strict: true,
});
const database = values.database ?? "/tmp/pages-bench.db";
const source = values.source ?? "/work/big/big.db";
const iterations = Number(values.iterations ?? 5);
const timeoutMs = Number(values.timeout ?? 60) * 1000;
const port = Number(values.port ?? 3192);
if (!Number.isInteger(iterations) || iterations < 1) {
  console.error(`bench:pages: --iterations must be a positive whole number, got ${values.iterations}`);
  process.exit(2);
}
if (!fs.existsSync("build/server/index.js")) {
  console.error("bench:pages: no production build; run `npx remix vite:build` first");
  process.exit(2);
}

if (!fs.existsSync(database)) {
  if (fs.existsSync(source)) {
    console.log(`copying ${source} to ${database}…`);
    const from = new Database(source, { readonly: true });
    await from.backup(database);
    from.close();
  } else {
    console.log(`${database} is missing: seeding 10,000 partners / 1,000,000 deals first…`);
    execFileSync("npx", ["tsx", "app/cli/seed.ts", "--partners", "10000", "--deals", "1000000", "--seed", "7", "--database", database], {
      stdio: "inherit",
    });
  }
}

// The partners and accounts to sign in as (read before the server migrates: plain SQL).
const probe = new Database(database, { readonly: true });
const byDeals = probe
  .prepare(`SELECT partner_id AS id, count(*) AS n FROM deals WHERE partner_id IS NOT NULL GROUP BY partner_id ORDER BY n, partner_id`)
  .all() as { id: number; n: number }[];
const largest = byDeals[byDeals.length - 1]!;
const median = byDeals[Math.floor(byDeals.length / 2)]!;
const partnerOf = (id: number) =>
  probe
    .prepare(
      `SELECT p.slug, u.email FROM partners p JOIN users u ON u.partner_id = p.id
        WHERE p.id = ? AND u.role = 'partner_admin' AND u.disabled_at IS NULL ORDER BY u.id LIMIT 1`,
    )
    .get(id) as { slug: string; email: string };
const big = partnerOf(largest.id);
const mid = partnerOf(median.id);
const staffEmail = (probe.prepare(`SELECT email FROM users WHERE role = 'admin' ORDER BY id LIMIT 1`).pluck().get() as string) ?? "admin@demo.test";
probe.close();

const child = spawn(process.execPath, ["--import", "tsx", "app/server/index.ts"], {
  env: {
    ...process.env,
    NODE_ENV: "production",
    DATABASE_PATH: database,
    HOST: "127.0.0.1",
    PORT: String(port),
    SCHEDULER: "0",
    DEMO: "0",
    OUTBOX_DIR: fs.mkdtempSync("/tmp/bench-pages-outbox-"),
  },
  stdio: ["ignore", "inherit", "inherit"],
});
const base = `http://127.0.0.1:${port}`;
process.on("exit", () => child.kill());

async function waitUp() {
  const until = Date.now() + 300_000;
  while (Date.now() < until) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("server did not start within 5 minutes");
}

async function signIn(email: string): Promise<string> {
  const res = await fetch(`${base}/login`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: base },
    body: new URLSearchParams({ email, password: "portal-demo" }),
    redirect: "manual",
  });
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0]!)
    .join("; ");
  if (res.status !== 302 && res.status !== 303) throw new Error(`sign-in as ${email} answered ${res.status}`);
  return cookie;
}

type Result = { who: string; path: string; status: number | string; medianMs: number | null; bytes: number | null };

async function measure(who: string, cookie: string, path: string): Promise<Result> {
  const samples: number[] = [];
  let bytes: number | null = null;
  let status: number | string = 0;
  // One warm-up (statement caches, rollup caches), then `iterations` timed requests.
  for (let i = 0; i <= iterations; i++) {
    const t = performance.now();
    try {
      const res = await fetch(`${base}${path}`, { headers: { Cookie: cookie }, redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
      const body = await res.arrayBuffer();
      status = res.status;
      bytes = body.byteLength;
    } catch {
      return { who, path, status: `> ${timeoutMs / 1000} s`, medianMs: null, bytes: null };
    }
    if (i > 0) samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return { who, path, status, medianMs: samples[Math.floor(samples.length / 2)]!, bytes };
}

await waitUp();
const period = lastCompletedPeriod();
const partnerPages = ["/dashboard", "/tier", "/attribution", "/attribution?zero=show", "/attribution?kind=quarter&quarter=2026-Q3", `/attribution?kind=month&month=${period}`, "/deals", "/deals?stage=won", "/reports", `/reports/${period}`, "/team"];
const internalPages = [
  "/internal",
  "/internal/partners",
  "/internal/partners?status=active",
  `/internal/partners/${big.slug}`,
  "/internal/registrations",
  "/internal/registrations?conflicts=1",
  "/internal/reports",
  "/internal/metrics",
  "/internal/ecosystem",
  "/internal/applications",
  "/internal/tier-reviews",
  "/internal/team",
  "/internal/settings",
  "/internal/settings/api",
];
const wanted = (p: string) => !values.only?.length || values.only.some((o) => p.startsWith(o));

console.log(
  `${database}: largest partner #${largest.id} (${big.slug}, ${largest.n.toLocaleString("en-US")} deals), ` +
    `median partner #${median.id} (${mid.slug}, ${median.n.toLocaleString("en-US")} deals); median of ${iterations} requests after one warm-up\n`,
);
const results: Result[] = [];
for (const [who, email, pages] of [
  [`largest #${largest.id}`, big.email, partnerPages],
  [`median #${median.id}`, mid.email, partnerPages],
  ["staff", staffEmail, internalPages],
] as const) {
  const cookie = await signIn(email);
  for (const path of pages.filter(wanted)) {
    const r = await measure(who, cookie, path);
    results.push(r);
    const ms = r.medianMs === null ? "      —" : `${r.medianMs.toFixed(1).padStart(7)}`;
    const kb = r.bytes === null ? "      —" : `${(r.bytes / 1024).toFixed(1).padStart(7)}`;
    const flag = r.medianMs !== null && r.medianMs <= 100 && (r.bytes ?? 0) <= 200 * 1024 ? "" : "  ✗ over 100 ms / 200 KB";
    console.log(`${who.padEnd(16)} ${path.padEnd(40)} ${String(r.status).padStart(6)} ${ms} ms ${kb} KB${flag}`);
  }
}
child.kill();
process.exit(0);
