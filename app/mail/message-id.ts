// Message-IDs (decision 0018): `<{kind}.{identity}@{mail domain}>`, a function of the message's
// identity and the program's mail domain only, never APP_URL or the process, so the resend of a
// message after a crash carries the id of the first send and receivers can tell the repeat.
// Pure (the settings form validates the domain in the browser too); the setting's lookup is in
// message-id.server.ts.

/** The domain part of MAIL_FROM ("Partner Program <partners@example.com>" → example.com). */
export function domainOfAddress(mailFrom: string): string {
  const address = /<([^>]+)>/.exec(mailFrom)?.[1] ?? mailFrom;
  const domain = address.slice(address.lastIndexOf("@") + 1).trim().toLowerCase();
  return cleanDomain(domain) || "localhost";
}

export function cleanDomain(value: string) {
  return value.trim().toLowerCase().replace(/[^a-z0-9.-]/g, "");
}

/** A mail domain is a host name: letters, digits, dots and hyphens, with at least one dot or "localhost". */
export function mailDomainProblem(value: string): string | null {
  const v = value.trim().toLowerCase();
  if (v === "") return null;
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(v) || v.length > 253)
    return "Write a domain name such as partners.example.com: letters, digits, dots and hyphens only.";
  return null;
}

export function messageIdFor(kind: string, identity: string, domain: string): string {
  const safe = (v: string) => v.replace(/[^A-Za-z0-9.-]/g, "-");
  return `<${safe(kind)}.${safe(identity)}@${cleanDomain(domain) || "localhost"}>`;
}
