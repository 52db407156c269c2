// Standard Webhooks signatures (standardwebhooks.com): `webhook-signature: v1,<base64 HMAC-SHA256
// of "<webhook-id>.<webhook-timestamp>.<body>">`, keyed with the base64 part of the `whsec_…`
// secret. Pure: the drain signs with it, tests and receivers can verify with it.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

const PREFIX = "whsec_";
/** Receivers refuse a timestamp further than this from their clock (replay protection). */
export const TIMESTAMP_TOLERANCE_S = 5 * 60;

export function newWebhookSecret(): string {
  return PREFIX + randomBytes(32).toString("base64");
}

function keyOf(secret: string): Buffer {
  return Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, "base64");
}

/** The `webhook-signature` header value for one message. */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac("sha256", keyOf(secret)).update(`${id}.${timestampSeconds}.${body}`).digest("base64");
  return `v1,${mac}`;
}

export type WebhookHeaders = { "webhook-id": string; "webhook-timestamp": string; "webhook-signature": string };

export function webhookHeaders(secret: string, id: string, timestampSeconds: number, body: string): WebhookHeaders {
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestampSeconds),
    "webhook-signature": signWebhook(secret, id, timestampSeconds, body),
  };
}

/**
 * True when one of the space-separated `v1,` signatures matches and the timestamp is within
 * the tolerance of `now` (seconds).
 */
export function verifyWebhook(secret: string, headers: WebhookHeaders, body: string, now = Math.floor(Date.now() / 1000)): boolean {
  const timestamp = Number(headers["webhook-timestamp"]);
  if (!Number.isInteger(timestamp) || Math.abs(now - timestamp) > TIMESTAMP_TOLERANCE_S) return false;
  const expected = Buffer.from(signWebhook(secret, headers["webhook-id"], timestamp, body).slice(3), "base64");
  return headers["webhook-signature"].split(" ").some((part) => {
    const [version, mac] = part.split(",", 2);
    if (version !== "v1" || !mac) return false;
    const given = Buffer.from(mac, "base64");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
