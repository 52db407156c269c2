// Our signatures against the reference implementation (the `standardwebhooks` package), in both
// directions, and the refusals: a changed body, a wrong secret, a stale timestamp.
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { newWebhookSecret, signWebhook, verifyWebhook, webhookHeaders } from "./signature";

const body = JSON.stringify({ type: "deal.won", timestamp: "2030-01-01T00:00:00.000Z", data: { deal: { id: 7 } } });

describe("Standard Webhooks signatures", () => {
  it("what we sign, the reference library verifies", () => {
    const secret = newWebhookSecret();
    const now = Math.floor(Date.now() / 1000);
    const headers = webhookHeaders(secret, "msg_abc123", now, body);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(secret).verify(body.replace("7", "8"), headers)).toThrow();
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow();
  });

  it("what the reference library signs, we verify", () => {
    const secret = newWebhookSecret();
    const at = new Date();
    const signature = new Webhook(secret).sign("msg_xyz", at, body);
    const headers = { "webhook-id": "msg_xyz", "webhook-timestamp": String(Math.floor(at.getTime() / 1000)), "webhook-signature": signature };
    expect(signature).toBe(signWebhook(secret, "msg_xyz", Math.floor(at.getTime() / 1000), body));
    expect(verifyWebhook(secret, headers, body)).toBe(true);
    expect(verifyWebhook(secret, headers, body + " ")).toBe(false);
    expect(verifyWebhook(secret, { ...headers, "webhook-signature": `v1,bogus ${signature}` }, body)).toBe(true);
    // Ten minutes later the same message is a replay.
    expect(verifyWebhook(secret, headers, body, Math.floor(at.getTime() / 1000) + 600)).toBe(false);
  });
});
