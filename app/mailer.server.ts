// The transport: how the sender (app/mail/outbox.server.ts, app/reports/delivery-worker.server.ts)
// hands a message over. Nothing else sends: the app enqueues (decision 0018). With SMTP_URL: one
// pooled nodemailer SMTP transport whose timeouts stay well below the sender's lease. Without it:
// each message is written to the outbox folder as an .eml file (plus a .json summary), so a fresh
// install sends nothing anywhere and every message can still be read.
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
  /** The outbox identity (kind + subject ids): one row, one Message-ID, however often it is enqueued. */
  identity?: { kind: string; key: string; partnerId?: number | null };
};

/** What the server said per recipient: accepted, or rejected with its reply (e.g. "550 5.1.1 …"). */
export type RecipientOutcome = { address: string; outcome: "accepted" | "rejected"; reply?: string };

export type SendResult = { messageId: string; recipients: RecipientOutcome[] };

export type Mailer = {
  kind: "smtp" | "outbox";
  from: string;
  send(message: OutgoingMessage): Promise<SendResult>;
  close(): void;
};

/** SMTP connection, greeting and socket (per command) timeouts: well below the 30 s lease. */
export const DEFAULT_SMTP_TIMEOUT_MS = 20_000;

type NodemailerInfo = {
  messageId: string;
  accepted?: (string | { address: string })[];
  rejected?: (string | { address: string })[];
  rejectedErrors?: { recipient?: string; response?: string; message: string }[];
};

const addressOf = (a: string | { address: string }) => (typeof a === "string" ? a : a.address);

/** nodemailer's accepted/rejected lists (and the replies of the rejections) as one list. */
export function recipientOutcomes(info: NodemailerInfo): RecipientOutcome[] {
  const rejected = (info.rejected ?? []).map(addressOf);
  return [
    ...(info.accepted ?? []).map((a): RecipientOutcome => ({ address: addressOf(a), outcome: "accepted" })),
    ...rejected.map((address): RecipientOutcome => {
      const error = info.rejectedErrors?.find((e) => e.recipient === address);
      return { address, outcome: "rejected", reply: (error?.response ?? error?.message ?? "").slice(0, 300) };
    }),
  ];
}

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
  /** Connection, greeting and socket timeout (ms); default DEFAULT_SMTP_TIMEOUT_MS. */
  MAIL_SMTP_TIMEOUT_MS?: number;
}): Mailer {
  if (config.SMTP_URL) {
    const url = new URL(config.SMTP_URL);
    if (!url.searchParams.has("pool")) url.searchParams.set("pool", "true");
    const timeout = config.MAIL_SMTP_TIMEOUT_MS ?? DEFAULT_SMTP_TIMEOUT_MS;
    // nodemailer's defaults (2 min to connect, 10 min of socket silence) outlast any lease: a
    // stalled server would let another sender take the message over and send it again.
    for (const name of ["connectionTimeout", "greetingTimeout", "socketTimeout", "dnsTimeout"]) {
      if (!url.searchParams.has(name)) url.searchParams.set(name, String(timeout));
    }
    const transport = nodemailer.createTransport(url.toString());
    return {
      kind: "smtp",
      from: config.MAIL_FROM,
      async send(m) {
        const info = (await transport.sendMail(envelope(config.MAIL_FROM, m))) as NodemailerInfo;
        return { messageId: info.messageId, recipients: recipientOutcomes(info) };
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
      return {
        messageId: info.messageId,
        recipients: m.to.map((address): RecipientOutcome => ({ address, outcome: "accepted" })),
      };
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
