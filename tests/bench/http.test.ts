// `npm run bench:http -- --smoke` on the demo program: the benchmark runs end to end (the real
// built server with one and two processes, the bare Remix page, sign-ins, autocannon, the server's
// event-loop figures, a monthly run started from the Reports page) and prints every figure. The
// figures' values are timings of a shared machine: only their presence and form are checked.
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const num = String.raw`[\d,]+(?:\.\d+)?`;

describe("npm run bench:http -- --smoke", () => {
  it("prints req/s, p50, p99, bytes, the ratios and the event-loop figures for each page", async () => {
    const { stdout } = await run("npx", ["tsx", "tests/bench/http.ts", "--smoke", "--pages", "/dashboard,/internal"], {
      // The bench's own servers, not vitest's environment.
      env: Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("VITEST"))) as NodeJS.ProcessEnv,
      maxBuffer: 16 * 1024 * 1024,
    });
    // wrk drives the load where it is installed (its report parsed for every row below).
    const wrk = (process.env.PATH ?? "").split(path.delimiter).some((dir) => dir && fs.existsSync(path.join(dir, "wrk")));
    expect(stdout).toContain(`load by ${wrk ? "wrk (one thread)" : "autocannon"}`);
    expect(stdout).toMatch(/page\s+who\s+procs\s+conns\s+req\/s\s+p50 ms\s+p99 ms\s+KB\s+first ms\s+block ms\s+×bare\s+CPU ms\/req\s+loop p99\/max ms/);
    const row = (page: string, who: string, procs: number) =>
      new RegExp(String.raw`${page}\s+${who}\s+${procs}\s+10\s+${num}\s+${num}\s+${num}\s+${num}\s+${num}\s+(?:${num}|—)\s+${num}×\s+`);
    expect(stdout).toMatch(row(String.raw`/ \(bare Remix page\)`, "bare", 1));
    expect(stdout).toMatch(row("/favicon.svg", "none", 1));
    expect(stdout).toMatch(row("/dashboard", "median", 1));
    expect(stdout).toMatch(row("/dashboard", "largest", 1));
    expect(stdout).toMatch(row("/internal", "manager", 1));
    expect(stdout).toMatch(row("/dashboard", "median", 2));
    // The server's event-loop delay (p99/max) is reported for the portal's runs.
    expect(stdout).toMatch(new RegExp(String.raw`/dashboard\s+median\s+1\s+10\s+.*\s${num}/${num}`));
    expect(stdout).toMatch(new RegExp(String.raw`1 process, 10 connections: bare page ${num} req/s, static file ${num} req/s, median /dashboard ${num} req/s = ${num}× bare`));
    // Server CPU per request, the bare page's and the portal's, in the one-process runs.
    expect(stdout).toMatch(new RegExp(String.raw`/dashboard\s+median\s+1\s+10\s+(?:\S+\s+){7}${num}\s+${num}/`));
    expect(stdout).toMatch(new RegExp(String.raw`server CPU per request, one process: bare page ${num} ms, median /dashboard ${num} ms = ${num}× the bare page's requests per CPU second`));
    expect(stdout).toMatch(new RegExp(String.raw`median /dashboard with 2 processes: ${num}× its one-process req/s`));
    expect(stdout).toMatch(
      new RegExp(String.raw`median /dashboard during a monthly run \(${num} reports queued, ${num} sent during the 1 s\): p99 ${num} ms vs ${num} ms idle`),
    );
    // The dashboard's latency at a steady rate below capacity, one process and two.
    for (const processes of ["1 process", "2 processes"]) {
      expect(stdout).toMatch(new RegExp(String.raw`median /dashboard, ${processes}, a steady 50 req/s over 10 connections: p50 ${num} ms, p99 ${num} ms`));
    }
    // How long one request alone holds the loop (the one-process rows), and the delay under load.
    expect(stdout).toMatch(new RegExp(String.raw`/internal\s+manager\s+1\s+10\s+(?:\S+\s+){5}${num}\s+${num}×`));
    expect(stdout).toMatch(new RegExp(String.raw`longest event-loop block by one request alone: ${num} ms`));
    expect(stdout).toMatch(new RegExp(String.raw`longest event-loop delay under load: ${num} ms`));
  }, 300_000);

  it("refuses a load generator it does not know, saying which it takes", async () => {
    const failed = await run("npx", ["tsx", "tests/bench/http.ts", "--smoke", "--generator", "ab"]).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toContain('--generator must be wrk or autocannon, got "ab"');
  });
});
