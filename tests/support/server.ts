// The real server (the production build behind our Express app) on 127.0.0.1 and a random
// port, over a fresh test database, for HTTP tests.
import type { ServerBuild } from "@remix-run/node";
import fs from "node:fs";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { inject } from "vitest";
import { closeDatabase, type DB } from "../../app/db.server";
import { createMailer } from "../../app/mailer.server";
import { createApp } from "../../app/server/app";
import { loadConfig } from "../../app/config.server";
import { createTestDatabase } from "./db";

export type TestServer = {
  url: string;
  db: DB;
  outboxDir: string;
  close(): Promise<void>;
};

export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const { db, file } = createTestDatabase();
  const outboxDir = fs.mkdtempSync(path.join(inject("tmpDir"), "outbox-"));
  const config = loadConfig({
    NODE_ENV: "production",
    DATABASE_PATH: file,
    HOST: "127.0.0.1",
    PORT: "0",
    OUTBOX_DIR: outboxDir,
    DEMO: "0",
    SCHEDULER: "0",
    ...env,
  });
  const mailer = createMailer(config);
  const build = (await import(
    /* @vite-ignore */ pathToFileURL(path.resolve("build/server/index.js")).href
  )) as ServerBuild;
  const app = createApp({ config: { ...config }, db, mailer, build });
  const server = await new Promise<import("node:http").Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  // APP_URL is only known once the port is: links in emails point at this server.
  config.APP_URL = url;
  return {
    url,
    db,
    outboxDir,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      mailer.close();
      closeDatabase(db);
    },
  };
}

/** A browser-like client: keeps cookies, sends a same-origin Origin on POSTs, never follows redirects. */
export class Client {
  private cookies = new Map<string, string>();
  constructor(private baseUrl: string) {}

  private cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  private remember(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const i = pair.indexOf("=");
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const expired = attrs.some((a) => /max-age=0\b/i.test(a.trim())) || value === "";
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async get(pathname: string, headers: Record<string, string> = {}) {
    const res = await fetch(this.baseUrl + pathname, {
      redirect: "manual",
      headers: { cookie: this.cookieHeader(), ...headers },
    });
    this.remember(res);
    return res;
  }

  async post(pathname: string, form: Record<string, string>, headers: Record<string, string> = {}) {
    const res = await fetch(this.baseUrl + pathname, {
      method: "POST",
      redirect: "manual",
      headers: {
        cookie: this.cookieHeader(),
        origin: this.baseUrl,
        "content-type": "application/x-www-form-urlencoded",
        ...headers,
      },
      body: new URLSearchParams(form).toString(),
    });
    this.remember(res);
    return res;
  }

  /** A multipart POST (file uploads): fetch sets the boundary. */
  async postMultipart(pathname: string, form: FormData) {
    const res = await fetch(this.baseUrl + pathname, {
      method: "POST",
      redirect: "manual",
      headers: { cookie: this.cookieHeader(), origin: this.baseUrl },
      body: form,
    });
    this.remember(res);
    return res;
  }

  hasSession() {
    return this.cookies.has("pp_session");
  }

  async signIn(email: string, password: string) {
    const res = await this.post("/login", { email, password });
    if (res.status !== 302 && res.status !== 204) {
      throw new Error(`sign-in as ${email} failed: ${res.status} ${await res.text()}`);
    }
    return res;
  }
}
