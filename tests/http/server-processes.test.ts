// `npm start` serves with several processes (node:cluster, WEB_CONCURRENCY): the real server
// entry (app/server/index.ts, over the suite's build) with two workers — both answer on the one
// port, a worker that dies is replaced, and SIGTERM stops the primary and every worker cleanly.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";

let server: ChildProcessWithoutNullStreams;
let url: string;
let out = "";
let dir: string;

/** One request on a connection of its own (so the cluster may hand it to any worker). */
function getOnNewConnection(pathname: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(`${url}${pathname}`, { agent: false }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on("error", reject);
  });
}

async function answeringPids(requests: number): Promise<Set<number>> {
  const pids = new Set<number>();
  for (let i = 0; i < requests; i++) {
    const res = await getOnNewConnection("/__server-stats");
    if (res.status === 200) pids.add((JSON.parse(res.body) as { pid: number }).pid);
  }
  return pids;
}

function alive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(inject("tmpDir"), "processes-"));
  // `npm start` without its build step (the suite's global setup built the app); node itself
  // (not the tsx CLI) so that the child's pid is the primary's.
  server = spawn(process.execPath, ["--import", "tsx", "app/server/index.ts"], {
    stdio: ["pipe", "pipe", "pipe"],
    env: {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_PATH: path.join(dir, "portal.db"),
      HOST: "127.0.0.1",
      PORT: "0",
      DEMO: "0",
      SCHEDULER: "0",
      WEB_CONCURRENCY: "2",
      PDF_THREADS: "",
      MALLOC_ARENA_MAX: "",
      SERVER_STATS: "1",
      OUTBOX_DIR: path.join(dir, "outbox"),
      APP_SECRET: "processes-test-secret-processes-test-secret",
    },
  });
  server.stderr.on("data", (c: Buffer) => (out += c.toString()));
  url = await new Promise<string>((resolve, reject) => {
    server.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      const port = /Partner portal on http:\/\/localhost:(\d+) \(production, 2 processes/.exec(out)?.[1];
      if (port) resolve(`http://127.0.0.1:${port}`);
    });
    server.once("exit", (code) => reject(new Error(`the server stopped (${code}): ${out}`)));
  });
}, 90_000);

afterAll(() => {
  if (server.exitCode === null) server.kill("SIGKILL");
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("npm start with WEB_CONCURRENCY=2", () => {
  it("serves from two worker processes on one port", async () => {
    const pids = await answeringPids(24);
    expect(pids.size).toBe(2);
    expect(pids.has(server.pid!)).toBe(false); // the primary only supervises
    const page = await getOnNewConnection("/login");
    expect(page.status).toBe(200);
    expect(page.body).toContain("<form");
  });

  it("gives each worker its share of the cores' PDF threads and two malloc arenas (unless set)", async () => {
    const seen = new Map<number, { pdfThreads: number; mallocArenaMax: string | null }>();
    for (let i = 0; i < 24 && seen.size < 2; i++) {
      const res = await getOnNewConnection("/__server-stats");
      const stats = JSON.parse(res.body) as { pid: number; pdfThreads: number; mallocArenaMax: string | null };
      seen.set(stats.pid, { pdfThreads: stats.pdfThreads, mallocArenaMax: stats.mallocArenaMax });
    }
    expect(seen.size).toBe(2);
    const share = Math.max(1, Math.floor(os.availableParallelism() / 2));
    for (const figures of seen.values()) expect(figures).toEqual({ pdfThreads: share, mallocArenaMax: "2" });
  });

  it("replaces a worker that dies", async () => {
    const [victim] = [...(await answeringPids(12))];
    process.kill(victim!, "SIGKILL");
    let pids = new Set<number>();
    for (let attempt = 0; attempt < 60 && pids.size < 2; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      pids = await answeringPids(8);
    }
    expect(pids.size).toBe(2);
    expect(pids.has(victim!)).toBe(false);
    expect(out).toContain(`Server process ${victim} exited (SIGKILL); starting a new one.`);
  }, 60_000);

  it("stops the primary and every worker on SIGTERM, with exit code 0", async () => {
    const workers = [...(await answeringPids(12))];
    expect(workers).toHaveLength(2);
    const exited = new Promise<number | null>((resolve) => server.once("exit", (code) => resolve(code)));
    server.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(out).toContain("SIGTERM: shutting down 2 server processes");
    expect(workers.filter(alive)).toEqual([]);
  }, 30_000);
});
