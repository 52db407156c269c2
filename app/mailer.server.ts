// Outgoing email. With SMTP_URL: one pooled nodemailer SMTP transport. Without it: each message
// is written to the outbox folder as an .eml file (plus a .json summary the staff Outbox page
// reads), so a fresh install sends nothing anywhere and every message can still be read.
import fs from "node:fs";
import path from "node:path";
import nodemailer from "nodemailer";

export type OutgoingMessage = {
  to: string[];
  subject: string;
  text: string;
  html: string;
  attachments?: { filename: string; content: Buffer; contentType: string }[];
  /** Deterministic Message-ID (with angle brackets) where a message must be identifiable. */
  messageId?: string;
  /** Extra headers (List-Unsubscribe…); values are made header-safe like every other. */
  headers?: Record<string, string>;
};

export type Mailer = {
  kind: "smtp" | "outbox";
  from: string;
  send(message: OutgoingMessage): Promise<{ messageId: string }>;
  close(): void;
};

export type OutboxEntry = {
  id: string;
  date: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  attachments: string[];
};

/** Header values never carry a line break, whatever a user typed. */
export function headerSafe(value: string) {
  return value.replace(/[\r\n\u2028\u2029]+/g, " ").trim();
}

function envelope(from: string, m: OutgoingMessage) {
  return {
    from,
    to: m.to.map(headerSafe).join(", "),
    subject: headerSafe(m.subject),
    text: m.text,
    html: m.html,
    attachments: m.attachments,
    messageId: m.messageId ? headerSafe(m.messageId) : undefined,
    headers: m.headers
      ? Object.fromEntries(Object.entries(m.headers).map(([name, value]) => [headerSafe(name), headerSafe(value)]))
      : undefined,
  };
}

export function createMailer(config: {
  SMTP_URL?: string;
  MAIL_FROM: string;
  OUTBOX_DIR: string;
}): Mailer {
  if (config.SMTP_URL) {
    const url = new URL(config.SMTP_URL);
    if (!url.searchParams.has("pool")) url.searchParams.set("pool", "true");
    const transport = nodemailer.createTransport(url.toString());
    return {
      kind: "smtp",
      from: config.MAIL_FROM,
      async send(m) {
        const info = await transport.sendMail(envelope(config.MAIL_FROM, m));
        return { messageId: info.messageId };
      },
      close: () => transport.close(),
    };
  }
  const dir = path.resolve(config.OUTBOX_DIR);
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "unix" });
  return {
    kind: "outbox",
    from: config.MAIL_FROM,
    async send(m) {
      const info = await transport.sendMail(envelope(config.MAIL_FROM, m));
      fs.mkdirSync(dir, { recursive: true });
      const id = `${new Date().toISOString().replace(/[:.]/g, "-")}-${Math.random().toString(36).slice(2, 8)}`;
      const entry: OutboxEntry = {
        id,
        date: new Date().toISOString(),
        to: m.to,
        subject: headerSafe(m.subject),
        text: m.text,
        html: m.html,
        attachments: (m.attachments ?? []).map((a) => a.filename),
      };
      fs.writeFileSync(path.join(dir, `${id}.eml`), info.message as Buffer);
      fs.writeFileSync(path.join(dir, `${id}.json`), JSON.stringify(entry));
      return { messageId: info.messageId };
    },
    close() {},
  };
}

export function listOutbox(outboxDir: string, limit = 200): OutboxEntry[] {
  const dir = path.resolve(outboxDir);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .reverse()
    .slice(0, limit)
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as OutboxEntry);
}

export function readOutboxEml(outboxDir: string, id: string): Buffer | null {
  if (!/^[\w-]+$/.test(id)) return null;
  const file = path.join(path.resolve(outboxDir), `${id}.eml`);
  return fs.existsSync(file) ? fs.readFileSync(file) : null;
}
