// The screens of two-factor sign-in shared by the account page and the sign-in step: the key to
// add to an authenticator app (QR code and text) and the recovery codes shown once.
import { useEffect, useRef, type ReactNode } from "react";

export function AuthenticatorKey({ qrSvg, manualKey }: { qrSvg: string; manualKey: string }) {
  return (
    <ol className="stack" style={{ paddingLeft: "1.25rem", margin: 0, gap: "1rem" }}>
      <li>
        <p style={{ margin: "0 0 0.5rem" }}>
          Open an authenticator app (1Password, Google Authenticator, Microsoft Authenticator, Authy…) and scan
          this QR code.
        </p>
        <div
          role="img"
          aria-label="QR code of your two-factor key. If you cannot scan it, enter the key shown below instead."
          style={{
            width: "min(100%, 13rem)",
            aspectRatio: "1",
            background: "#fff",
            border: "1px solid var(--border)",
            borderRadius: 8,
            padding: "0.5rem",
            lineHeight: 0,
          }}
          // The SVG is generated on the server by uqr from our own otpauth:// URI: no user input.
          dangerouslySetInnerHTML={{ __html: qrSvg.replace("<svg ", '<svg width="100%" height="100%" aria-hidden="true" ') }}
        />
      </li>
      <li>
        <p style={{ margin: "0 0 0.25rem" }}>Or type this key into the app (time-based, 6 digits):</p>
        <code
          data-testid="manual-key"
          style={{
            display: "inline-block",
            fontSize: "1.05rem",
            letterSpacing: "0.05em",
            wordBreak: "break-all",
            padding: "0.35rem 0.6rem",
            background: "var(--bg, #f6f7f9)",
            border: "1px solid var(--border)",
            borderRadius: 6,
            userSelect: "all",
          }}
        >
          {manualKey}
        </code>
      </li>
      <li>
        <p style={{ margin: 0 }}>Enter the 6-digit code the app shows to finish.</p>
      </li>
    </ol>
  );
}

export function RecoveryCodes({ codes, children }: { codes: string[]; children?: ReactNode }) {
  const ref = useRef<HTMLElement>(null);
  // Shown once, right after the action: take keyboard and screen-reader focus there.
  useEffect(() => ref.current?.focus(), []);
  const download = `data:text/plain;charset=utf-8,${encodeURIComponent(
    `Partner Portal recovery codes (each works once)\n\n${codes.join("\n")}\n`,
  )}`;
  return (
    <section className="card stack" aria-labelledby="recovery-codes-heading" tabIndex={-1} ref={ref}>
      <h2 id="recovery-codes-heading" style={{ margin: 0 }}>
        Your recovery codes
      </h2>
      <p style={{ margin: 0 }}>
        If you lose your phone, each of these codes signs you in once instead of an authenticator code.{" "}
        <strong>Save them now: they will not be shown again.</strong>
      </p>
      <ul
        aria-label="Recovery codes"
        style={{
          listStyle: "none",
          margin: 0,
          padding: "0.75rem 1rem",
          display: "grid",
          gridTemplateColumns: "repeat(auto-fill, minmax(8.5rem, 1fr))",
          gap: "0.4rem 1.5rem",
          fontFamily: "ui-monospace, SFMono-Regular, Menlo, monospace",
          fontSize: "1.05rem",
          border: "1px solid var(--border)",
          borderRadius: 8,
        }}
      >
        {codes.map((code) => (
          <li key={code} data-testid="recovery-code">
            {code}
          </li>
        ))}
      </ul>
      <div className="row">
        <a href={download} download="partner-portal-recovery-codes.txt">
          Download the codes as a text file
        </a>
        {children}
      </div>
    </section>
  );
}
