// The program's mail domain (program settings, else the domain of MAIL_FROM): the domain of
// every Message-ID (message-id.ts, decision 0018).
import type { DB } from "../db.server";
import { cleanDomain, domainOfAddress } from "./message-id";

export { domainOfAddress, mailDomainProblem, messageIdFor } from "./message-id";

/** The program's mail domain setting, else the domain of MAIL_FROM. */
export function mailDomain(db: DB, mailFrom: string): string {
  const row = db.$client.prepare("SELECT mail_domain FROM program_settings WHERE id = 1").get() as
    | { mail_domain: string | null }
    | undefined;
  const setting = row?.mail_domain ? cleanDomain(row.mail_domain) : "";
  return setting || domainOfAddress(mailFrom);
}

