// The SSRF guard for webhook URLs: http(s) only, and every address the host resolves to must be
// public, unless the admin setting allows private addresses (tests, an on-premises CRM). Checked
// when an endpoint is saved and again before every delivery (DNS can change in between).
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

const privateRanges = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  privateRanges.addSubnet(net, prefix, "ipv4");
}
for (const [net, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  privateRanges.addSubnet(net, prefix, "ipv6");
}

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return privateRanges.check(mapped[1]!, "ipv4");
    return privateRanges.check(address, "ipv6");
  }
  return family === 4 ? privateRanges.check(address, "ipv4") : true;
}

export class WebhookUrlError extends Error {}

/** Throws a WebhookUrlError saying what to fix; returns the parsed URL. */
export async function checkWebhookUrl(raw: string, allowPrivate: boolean): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookUrlError("Enter the endpoint as an absolute URL such as https://crm.example.com/hooks/portal.");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new WebhookUrlError("The endpoint URL must start with https:// (or http://).");
  }
  if (url.username || url.password) throw new WebhookUrlError("Leave credentials out of the URL: requests are signed instead.");
  if (allowPrivate) return url;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
  } catch {
    throw new WebhookUrlError(`The host ${host} does not resolve: check the URL.`);
  }
  const blocked = addresses.find(isPrivateAddress);
  if (blocked) {
    throw new WebhookUrlError(
      `${host} resolves to ${blocked}, a private, loopback or link-local address. Use a public URL, or ask an admin to allow private webhook URLs (Settings → API).`,
    );
  }
  return url;
}
