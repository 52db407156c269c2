// GET /__server-stats (only with SERVER_STATS=1, only from loopback): this process's own figures
// for the benchmarks (tests/bench/http.ts) — its pid (which cluster worker answered), the event
// loop's delay since the last reset (perf_hooks.monitorEventLoopDelay: how long a ready callback
// waited, i.e. how long something held the loop), its utilisation, the CPU time it used (main
// thread and any others, user + system), RSS, and the PDF threads and malloc arenas it was
// started with. `?reset=1` starts a new measurement after answering.
import type express from "express";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { pdfThreads } from "../reports/pdf-pool.server";

export const SERVER_STATS_PATH = "/__server-stats";
const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

export function serverStats(): express.RequestHandler {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let since = performance.eventLoopUtilization();
  let sinceAt = Date.now();
  let sinceCpu = process.cpuUsage();
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  return (req, res, next) => {
    if (req.path !== SERVER_STATS_PATH || req.method !== "GET") return next();
    if (!LOOPBACK.has(req.socket.remoteAddress ?? "")) return next();
    const utilisation = performance.eventLoopUtilization(since);
    const cpu = process.cpuUsage(sinceCpu);
    res.set("Cache-Control", "no-store").json({
      pid: process.pid,
      seconds: (Date.now() - sinceAt) / 1000,
      eventLoopDelayMs: {
        p50: ms(delay.percentile(50)),
        p99: ms(delay.percentile(99)),
        max: ms(delay.max),
        mean: ms(delay.mean),
      },
      eventLoopUtilisation: Math.round(utilisation.utilization * 1000) / 1000,
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      rssBytes: process.memoryUsage().rss,
      // What this process was started with (cluster workers get their share: app/server/index.ts).
      pdfThreads: pdfThreads(),
      mallocArenaMax: process.env.MALLOC_ARENA_MAX ?? null,
    });
    if (req.query.reset === "1") {
      delay.reset();
      since = performance.eventLoopUtilization();
      sinceAt = Date.now();
      sinceCpu = process.cpuUsage();
    }
  };
}
