// The three CSV upload forms read through one readCsvUpload (csv-upload.server.ts), through
// the real server: a file over the route's limit is a 413 that says what to do, a file that is
// not UTF-8 a 400 saying how to export it, and each route keeps its own limit for the other
// parts (spend 256 KB — its confirm step carries the CSV back —, exchange rates 1 KB).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_PASSWORD } from "../support/db";
import { Client, startTestServer, type TestServer } from "../support/server";
import { createWorld, type World } from "../support/world";

let server: TestServer;
let world: World;
let admin: Client;

beforeAll(async () => {
  server = await startTestServer();
  world = await createWorld(server.db);
  admin = new Client(server.url);
  await admin.signIn(world.admin.email, TEST_PASSWORD);
});
afterAll(() => server.close());

const decode = (html: string) => html.replace(/<!-- -->/g, "").replace(/&#x27;|&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, "&");

function upload(intent: string, file: Blob, fields: Record<string, string> = {}) {
  const form = new FormData();
  form.set("intent", intent);
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  form.append("file", file, "upload.csv");
  return form;
}

const LATIN1 = new Uint8Array([0x6d, 0x6f, 0x6e, 0x74, 0x68, 0x0a, 0xe9, 0xe8, 0x0a]);

describe("CSV uploads", () => {
  it("program spend: 413 over 256 KB, 400 for a file that is not UTF-8, a 2 KB field accepted", async () => {
    const big = await admin.postMultipart("/internal/spend", upload("preview", new Blob([new Uint8Array(257 * 1024).fill(0x61)])));
    expect(big.status).toBe(413);
    expect(decode(await big.text())).toContain("The file is larger than 256 KB: split it into several uploads.");
    const latin = await admin.postMultipart("/internal/spend", upload("preview", new Blob([LATIN1])));
    expect(latin.status).toBe(400);
    expect(decode(await latin.text())).toContain("The file is not UTF-8 text. In Excel, save it as “CSV UTF-8 (comma delimited)”.");
    const field = await admin.postMultipart("/internal/spend", upload("preview", new Blob(["month,category,amount\n"]), { note: "x".repeat(2048) }));
    expect(field.status).toBe(200);
    const none = await admin.postMultipart("/internal/spend", upload("preview", new Blob([])));
    expect(none.status).toBe(400);
    expect(decode(await none.text())).toContain("Choose a CSV file to preview.");
  });

  it("exchange rates: 413 over 256 KB and for a field over 1 KB, 400 for a file that is not UTF-8", async () => {
    // (The server's own body limit for this path answers first, also with 413.)
    const big = await admin.postMultipart("/internal/settings/exchange-rates", upload("upload", new Blob([new Uint8Array(257 * 1024).fill(0x61)])));
    expect(big.status).toBe(413);
    const field = await admin.postMultipart("/internal/settings/exchange-rates", upload("upload", new Blob(["currency,valid_from,rate\n"]), { note: "x".repeat(2048) }));
    expect(field.status).toBe(413);
    const latin = await admin.postMultipart("/internal/settings/exchange-rates", upload("upload", new Blob([LATIN1])));
    expect(latin.status).toBe(400);
    expect(decode(await latin.text())).toContain("The file is not UTF-8 text.");
  });

  it("CRM imports: 413 over 2 MB, 400 for a file that is not UTF-8 and for a form that is not multipart", async () => {
    const big = await admin.postMultipart("/internal/imports", upload("preview", new Blob([new Uint8Array(2 * 1024 * 1024 + 10).fill(0x61)]), { kind: "outcomes" }));
    expect(big.status).toBe(413);
    expect(decode(await big.text())).toContain("The file is larger than 2 MB.");
    const latin = await admin.postMultipart("/internal/imports", upload("preview", new Blob([LATIN1]), { kind: "outcomes" }));
    expect(latin.status).toBe(400);
    expect(decode(await latin.text())).toContain("The file is not UTF-8 text.");
    const plain = await admin.post("/internal/imports", { intent: "preview", kind: "outcomes" });
    expect(plain.status).toBe(400);
    expect(decode(await plain.text())).toContain("Upload the file with the form on this page.");
  });
});
