// The bare page's server for `npm run bench:http`: Express with @remix-run/express's own handler
// and static assets, over the benchmark's database. Prints "listening <port>".
//   argv: <database file> <build dir>
import { createRequestHandler } from "@remix-run/express";
import type { AppLoadContext, ServerBuild } from "@remix-run/node";
import Database from "better-sqlite3";
import express from "express";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { serverStats } from "../../../app/server/server-stats";

const [file, buildDir] = process.argv.slice(2);
if (!file || !buildDir) {
  console.error("usage: tests/bench/bare/server.ts <database> <build dir>");
  process.exit(2);
}
const sqlite = new Database(file, { readonly: true });
const build = (await import(pathToFileURL(path.join(buildDir, "server/index.js")).href)) as ServerBuild;
const app = express();
app.disable("x-powered-by");
// The portal's own figures endpoint (CPU per request, event loop), so both are measured alike.
app.use(serverStats());
app.use("/assets", express.static(path.join(buildDir, "client/assets"), { immutable: true, maxAge: "1y" }));
app.all("*", createRequestHandler({ build, mode: "production", getLoadContext: () => ({ sqlite }) as unknown as AppLoadContext }));
const server = app.listen(0, "127.0.0.1", () => {
  const address = server.address();
  console.log(`listening ${typeof address === "object" && address ? address.port : 0}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
