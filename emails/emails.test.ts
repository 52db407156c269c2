import { describe, expect, it } from "vitest";
import { invitationEmail } from "./invitation";
import { escapeHtml, renderEmail } from "./layout";
import { passwordChangedEmail } from "./password-changed";
import { passwordResetEmail } from "./password-reset";

const expiresAt = new Date("2025-03-08T09:30:00Z");

describe("escapeHtml", () => {
  it("escapes the five HTML-significant characters", () => {
    expect(escapeHtml(`<a href="x">Tom & 'Jerry'</a>`)).toBe(
      "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;",
    );
  });
});

describe("renderEmail", () => {
  it("puts the link in both the html and the text version", () => {
    const url = "https://portal.example.com/invite/abc?x=1&y=2";
    const { html, text } = renderEmail({ heading: "Hi", paragraphs: ["One", "Two"], action: { label: "Go", url } });
    expect(html).toContain(`href="https://portal.example.com/invite/abc?x=1&amp;y=2"`);
    expect(text).toContain(`Go: ${url}`);
    expect(text).toContain("One\n\nTwo");
  });

  it("refuses a link that is not http(s)", () => {
    expect(() =>
      renderEmail({ heading: "Hi", paragraphs: [], action: { label: "Go", url: "javascript:alert(1)" } }),
    ).toThrow();
  });
});

describe("invitationEmail", () => {
  const url = "https://portal.example.com/invite/tok123";

  it("escapes names in the HTML and carries the link in html and text", () => {
    const mail = invitationEmail({
      inviteeName: "<script>alert('x')</script>",
      inviterName: "Ada <b>Admin</b>",
      partnerName: "Alpha & Co",
      role: "partner_user",
      url,
      expiresAt,
    });
    expect(mail.html).not.toContain("<script>");
    expect(mail.html).not.toContain("<b>Admin</b>");
    expect(mail.html).toContain("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
    expect(mail.html).toContain("Alpha &amp; Co");
    expect(mail.html).toContain(`href="${url}"`);
    expect(mail.text).toContain(url);
    // The text part is plain text: the name is shown as typed, not escaped.
    expect(mail.text).toContain("<script>alert('x')</script>");
    expect(mail.text).toContain("March 8, 2025");
  });

  it("names the partner team for staff invitations and keeps the subject on one line", () => {
    const mail = invitationEmail({
      inviteeName: "Mia",
      inviterName: "Ada\r\nBcc: victim@example.com",
      partnerName: null,
      role: "partner_manager",
      url,
      expiresAt,
    });
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.subject).toContain("the partner team");
    expect(mail.text).toContain("partner manager");
  });
});

describe("password emails", () => {
  it("reset email carries the link in html and text and escapes the name", () => {
    const url = "https://portal.example.com/reset-password/tok456";
    const mail = passwordResetEmail({ name: "<script>x</script>", url, expiresAt });
    expect(mail.html).not.toContain("<script>");
    expect(mail.html).toContain(`href="${url}"`);
    expect(mail.text).toContain(url);
    expect(mail.subject).not.toMatch(/[\r\n]/);
  });

  it("changed notice points to the reset page", () => {
    const url = "https://portal.example.com/forgot-password";
    const mail = passwordChangedEmail({ name: "<script>x</script>", changedAt: expiresAt, forgotPasswordUrl: url });
    expect(mail.html).not.toContain("<script>");
    expect(mail.html).toContain(`href="${url}"`);
    expect(mail.text).toContain(url);
    expect(mail.subject).toBe("Your Partner Portal password was changed");
  });
});
