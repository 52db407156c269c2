// A mailer for tests that read what was sent: it writes every message to a fresh outbox folder
// (as the app does without SMTP) inside the suite's temporary directory, removed after the run.
import fs from "node:fs";
import path from "node:path";
import { inject } from "vitest";
import { createMailer } from "../../app/mailer.server";

export function createTestMailer(from = "Partner Program <partners@localhost>") {
  const outboxDir = fs.mkdtempSync(path.join(inject("tmpDir"), "outbox-"));
  return { outboxDir, mailer: createMailer({ MAIL_FROM: from, OUTBOX_DIR: outboxDir }) };
}
