// Reads the messages the e2e server wrote to its outbox, as a person would read their inbox.
import fs from "node:fs";
import path from "node:path";
import type { OutboxEntry } from "../../app/mailer.server";
import { E2E } from "./playwright.config";

export function outbox(): OutboxEntry[] {
  if (!fs.existsSync(E2E.outboxDir)) return [];
  return fs
    .readdirSync(E2E.outboxDir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(E2E.outboxDir, f), "utf8")));
}

export async function waitForMail(match: (m: OutboxEntry) => boolean, timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const found = outbox().filter(match).pop();
    if (found) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("expected email did not arrive in the outbox");
}

export function firstLink(text: string, pathPrefix: string) {
  const m = text.match(new RegExp(`https?://[^\\s]+${pathPrefix}[^\\s)>"]*`));
  if (!m) throw new Error(`no ${pathPrefix} link in: ${text}`);
  return new URL(m[0]).pathname;
}
