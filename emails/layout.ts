// The one frame every email is rendered in: a table-based, inline-styled HTML body (what mail
// clients reliably render: no <style> blocks, no flexbox, no external assets) and the plain-text
// twin carrying the same words and the same link.

export type EmailContent = {
  /** The preview line an inbox shows next to the subject; hidden in the body. */
  preheader?: string;
  heading: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  footer?: string;
};

export type RenderedEmail = { html: string; text: string };

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** Subjects and other one-line values: whatever a user typed, never a line break. */
export function singleLine(value: string): string {
  return value.replace(/[\r\n\u2028\u2029]+/g, " ").replace(/\s{2,}/g, " ").trim();
}

/** Dates in emails are absolute and in UTC: the reader's time zone is unknown. */
export function formatEmailDate(date: Date): string {
  return (
    new Intl.DateTimeFormat("en-US", {
      timeZone: "UTC",
      weekday: "long",
      year: "numeric",
      month: "long",
      day: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      hour12: false,
    }).format(date) + " UTC"
  );
}

function assertLinkUrl(url: string) {
  // Only web links end up in an href; anything else is a bug upstream.
  const protocol = new URL(url).protocol;
  if (protocol !== "https:" && protocol !== "http:") throw new Error(`Refusing email link ${url}`);
}

const FONT = "font-family:-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;";
const BRAND = "#3b4cca";

export function renderEmail(content: EmailContent): RenderedEmail {
  if (content.action) assertLinkUrl(content.action.url);
  const footer =
    content.footer ?? "You are receiving this email because of your account on the Partner Portal.";

  const paragraphsHtml = content.paragraphs
    .map(
      (p) =>
        `<p style="margin:0 0 16px;${FONT}font-size:16px;line-height:24px;color:#1b2030;">${escapeHtml(p)}</p>`,
    )
    .join("\n");

  const actionHtml = content.action
    ? `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:8px 0 24px;">
  <tr>
    <td align="center" bgcolor="${BRAND}" style="border-radius:8px;">
      <a href="${escapeHtml(content.action.url)}" target="_blank" style="display:inline-block;padding:12px 24px;${FONT}font-size:16px;font-weight:600;color:#ffffff;text-decoration:none;border-radius:8px;">${escapeHtml(content.action.label)}</a>
    </td>
  </tr>
</table>
<p style="margin:0 0 16px;${FONT}font-size:13px;line-height:20px;color:#5b6378;">If the button does not work, copy this link into your browser:<br><a href="${escapeHtml(content.action.url)}" style="color:${BRAND};word-break:break-all;">${escapeHtml(content.action.url)}</a></p>`
    : "";

  const preheaderHtml = content.preheader
    ? `<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;font-size:1px;line-height:1px;color:#f6f7fb;opacity:0;">${escapeHtml(content.preheader)}</div>`
    : "";

  const html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="x-apple-disable-message-reformatting">
<title>${escapeHtml(content.heading)}</title>
</head>
<body style="margin:0;padding:0;background-color:#f6f7fb;">
${preheaderHtml}
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="#f6f7fb" style="background-color:#f6f7fb;">
  <tr>
    <td align="center" style="padding:16px 8px;">
      <table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:560px;">
        <tr>
          <td style="padding:0 8px 16px;${FONT}font-size:15px;font-weight:700;color:#161b2e;">Partner Portal</td>
        </tr>
        <tr>
          <td bgcolor="#ffffff" style="background-color:#ffffff;border:1px solid #dfe3ec;border-radius:10px;padding:24px 16px;">
            <h1 style="margin:0 0 20px;${FONT}font-size:22px;line-height:30px;font-weight:700;color:#1b2030;">${escapeHtml(content.heading)}</h1>
${paragraphsHtml}
${actionHtml}
          </td>
        </tr>
        <tr>
          <td style="padding:16px 8px 0;${FONT}font-size:12px;line-height:18px;color:#5b6378;">${escapeHtml(footer)}</td>
        </tr>
      </table>
    </td>
  </tr>
</table>
</body>
</html>
`;

  const text = [
    content.heading,
    "",
    ...content.paragraphs.flatMap((p) => [p, ""]),
    ...(content.action ? [`${content.action.label}: ${content.action.url}`, ""] : []),
    "--",
    footer,
    "",
  ].join("\n");

  return { html, text };
}
