// Request bodies have limits, checked in the Express layer before Remix reads a byte: a form
// route takes 64 KiB, the CSV imports 3 MiB (their page keeps its own 2 MB file limit), and a
// body that is not a form, or a form that does not parse, gets 415/400 instead of a 500.
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../app/config.server";
import { TEST_PASSWORD } from "../support/db";
import { Client, startTestServer, type TestServer } from "../support/server";
import { createWorld } from "../support/world";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  await createWorld(server.db);
});
afterAll(() => server.close());

type Sent = { status: number; body: string; bytesSent: number; ms: number };

/**
 * POSTs up to `total` bytes, chunked (no Content-Length) unless `headers` give one, and stops
 * writing as soon as the answer arrives: how much was sent by then shows the server did not
 * wait for (or hold) the whole body.
 */
function streamPost(url: string, total: number, headers: Record<string, string> = {}): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const chunk = Buffer.alloc(64 * 1024, "a");
    let bytesSent = 0;
    let answered = false;
    const req = http.request(url, {
      method: "POST",
      headers: { origin: new URL(url).origin, "content-type": "application/x-www-form-urlencoded", ...headers },
    });
    req.on("response", (res) => {
      answered = true;
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => {
        resolve({ status: res.statusCode!, body, bytesSent, ms: Date.now() - started });
        req.destroy();
      });
    });
    // The server closes the connection after its answer; writing on may then fail.
    req.on("error", (error) => (answered ? undefined : reject(error)));
    // One chunk at a time, waiting for the socket: the client never holds much unsent.
    const write = () => {
      if (answered) return;
      if (bytesSent >= total) return void req.end();
      bytesSent += chunk.length;
      if (req.write(chunk)) setImmediate(write);
      else req.once("drain", write);
    };
    req.flushHeaders();
    write();
  });
}

const MB = 1024 * 1024;

describe("request body limits", () => {
  it("answers a 100 MB chunked POST to /apply with 413 after reading little more than 64 KiB", async () => {
    const res = await streamPost(`${server.url}/apply`, 100 * MB);
    expect(res.status).toBe(413);
    expect(res.body).toContain("larger than 64 KiB, the limit for a form");
    expect(res.bytesSent).toBeLessThan(10 * MB);
    expect(res.ms).toBeLessThan(5_000);
  });

  it("answers a Content-Length of 100 MB with 413 before the body is sent", async () => {
    const res = await streamPost(`${server.url}/apply`, 100 * MB, { "content-length": String(100 * MB) });
    expect(res.status).toBe(413);
    expect(res.bytesSent).toBeLessThan(10 * MB);
  });

  it("applies the same limit to a single-fetch action request (/apply.data)", async () => {
    const res = await streamPost(`${server.url}/apply.data`, 1 * MB);
    expect(res.status).toBe(413);
  });

  it("still takes a normal application and a normal sign-in", async () => {
    const anon = new Client(server.url);
    const applied = await anon.post("/apply", {
      companyName: "Gamma Consulting",
      website: "https://gamma-consulting.test",
      contactName: "Grace Gamma",
      contactEmail: "grace@gamma-consulting.test",
      kind: "reseller",
      region: "EMEA",
      message: "We resell the product in Spain.",
    });
    expect(applied.status, await applied.clone().text()).toBe(302);
    expect(applied.headers.get("location")).toBe("/apply?submitted=1");
    const signedIn = await new Client(server.url).signIn("admin@alpha.test", TEST_PASSWORD);
    expect(signedIn.status).toBe(302);
  });
});

describe("bodies that are not forms", () => {
  const post = (path: string, body: string | FormData, headers: Record<string, string>) =>
    fetch(server.url + path, { method: "POST", redirect: "manual", headers: { origin: server.url, ...headers }, body });

  it("answers JSON sent to /login with 415 and says what to send", async () => {
    const res = await post("/login", JSON.stringify({ email: "admin@alpha.test", password: TEST_PASSWORD }), {
      "content-type": "application/json",
    });
    expect(res.status).toBe(415);
    expect(await res.text()).toMatch(/application\/x-www-form-urlencoded or multipart\/form-data.*application\/json/);
  });

  it("answers a broken multipart body with 400", async () => {
    const broken = "--XyZ\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\nadmin@alpha.test\r\n--Wrong";
    const res = await post("/apply", broken, { "content-type": "multipart/form-data; boundary=XyZ" });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("multipart form data could not be read");
    const noBoundary = await post("/login", "email=a", { "content-type": "multipart/form-data" });
    expect(noBoundary.status).toBe(400);
  });

  it("answers a gzip-encoded form with 415", async () => {
    const res = await post("/login", "email=a", {
      "content-type": "application/x-www-form-urlencoded",
      "content-encoding": "gzip",
    });
    expect(res.status).toBe(415);
  });

  it("still takes a well-formed multipart sign-in", async () => {
    const form = new FormData();
    form.set("email", "admin@alpha.test");
    form.set("password", TEST_PASSWORD);
    const res = await post("/login", form, {});
    expect(res.status).toBe(302);
  });
});

describe("the CSV imports", () => {
  /** A staff session cookie, for requests the Client does not make (multipart, streamed). */
  async function staffCookie() {
    const res = await new Client(server.url).signIn("manager@world.test", TEST_PASSWORD);
    return res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  }
  const upload = async (csv: string) => {
    const form = new FormData();
    form.set("intent", "preview");
    form.set("kind", "mrr");
    form.set("file", new File([csv], "mrr.csv", { type: "text/csv" }));
    return fetch(`${server.url}/internal/imports`, {
      method: "POST",
      redirect: "manual",
      headers: { origin: server.url, cookie: await staffCookie() },
      body: form,
    });
  };

  it("still previews an ordinary upload", async () => {
    const res = await upload("domain,month,mrr\nacme.test,2025-01,10.00\n");
    expect(res.status).toBe(200);
  });

  it("keeps the page's own 2 MB file limit and message under the 3 MiB request limit", async () => {
    const res = await upload(`domain,month,mrr\n${"x".repeat(2.2 * MB)}\n`);
    expect(res.status).toBe(413);
    expect(await res.text()).toContain("The file is larger than 2 MB");
  });

  it("refuses an import body over 3 MiB in the Express layer", async () => {
    const res = await streamPost(`${server.url}/internal/imports`, 20 * MB, {
      "content-type": "multipart/form-data; boundary=XyZ",
      cookie: await staffCookie(),
    });
    expect(res.status).toBe(413);
    expect(res.body).toContain("larger than 3 MiB, the limit for an import");
  });
});

describe("configuration", () => {
  it("takes the limits from FORM_BODY_LIMIT and IMPORT_BODY_LIMIT", async () => {
    const small = await startTestServer({ FORM_BODY_LIMIT: "2KiB" });
    try {
      const res = await streamPost(`${small.url}/apply`, 8 * 1024);
      expect(res.status).toBe(413);
      expect(res.body).toContain("larger than 2 KiB");
    } finally {
      await small.close();
    }
    expect(loadConfig({ NODE_ENV: "test", IMPORT_BODY_LIMIT: "5MiB" }).IMPORT_BODY_LIMIT).toBe(5 * MB);
    expect(loadConfig({ NODE_ENV: "test" }).FORM_BODY_LIMIT).toBe(64 * 1024);
  });

  it("stops at start with a clear message on a bad limit", () => {
    expect(() => loadConfig({ NODE_ENV: "test", FORM_BODY_LIMIT: "lots" })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: "test", FORM_BODY_LIMIT: "lots" })).toThrow(/FORM_BODY_LIMIT="lots": must be a size such as 65536, 64KiB or 3MiB/);
  });
});
