// A real SMTP server for delivery tests and the report benchmark: smtp-server on 127.0.0.1 and a
// random port, no TLS, no authentication. Every accepted message is kept (raw, parsed with
// mailparser, and its SMTP envelope) unless `discard` is set; it can answer the first N
// messages with a temporary 451 or every message with a permanent 550.
import { simpleParser, type ParsedMail } from "mailparser";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export type ReceivedMessage = {
  /** The SMTP envelope: who the server was actually asked to deliver to. */
  envelope: { from: string; to: string[] };
  raw: Buffer;
  parsed: ParsedMail;
};

export type SmtpOptions = {
  /** Answer the first N messages (DATA) with "451 try again later". */
  failFirst?: number;
  /** Answer every message with "550 mailbox unavailable". */
  rejectAll?: boolean;
  /** Accept and forget (benchmarks): nothing is buffered or parsed. */
  discard?: boolean;
  /**
   * Runs after a message is accepted and stored, before the client hears "250": a test can
   * kill the sender here to crash it between the server's acceptance and its own bookkeeping.
   */
  beforeReply?: (message: ReceivedMessage, index: number) => void | Promise<void>;
};

export type TestSmtpServer = {
  port: number;
  url: string;
  /** Accepted messages, in the order they were accepted. */
  messages: ReceivedMessage[];
  /** Messages answered with 4xx/5xx. */
  refused: number;
  /** Messages accepted (also counted when `discard`). */
  accepted: number;
  close(): Promise<void>;
};

class SmtpReply extends Error {
  constructor(
    message: string,
    public responseCode: number,
  ) {
    super(message);
  }
}

export async function startSmtpServer(options: SmtpOptions = {}): Promise<TestSmtpServer> {
  let seen = 0;
  const state: Omit<TestSmtpServer, "port" | "url" | "close"> = { messages: [], refused: 0, accepted: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    size: 50 * 1024 * 1024,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => {
        if (!options.discard) chunks.push(chunk);
      });
      stream.on("end", () => {
        seen++;
        if (options.rejectAll) {
          state.refused++;
          return callback(new SmtpReply("Mailbox unavailable", 550));
        }
        if (options.failFirst && seen <= options.failFirst) {
          state.refused++;
          return callback(new SmtpReply("Try again later", 451));
        }
        state.accepted++;
        if (options.discard) return callback(null);
        const raw = Buffer.concat(chunks);
        const envelope = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
        };
        // Parse before answering, so a test that saw the sender finish also sees the message.
        simpleParser(raw)
          .then(async (parsed) => {
            const message = { envelope, raw, parsed };
            state.messages.push(message);
            await options.beforeReply?.(message, state.messages.length - 1);
            callback(null);
          })
          .catch((error: Error) => callback(error));
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  // A client that drops its connection mid-message (a server stopped during a run) is that
  // connection's error, not the test process's: without a listener it would be thrown.
  server.on("error", () => {});
  const port = (server.server.address() as AddressInfo).port;
  return Object.assign(state, {
    port,
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
