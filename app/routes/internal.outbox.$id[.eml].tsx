// /internal/outbox/<id>.eml: one outbox message as the raw RFC 822 file, for a mail client.
// ("[.eml]" escapes the dot, so it is part of the URL segment, not a route separator.)
import type { LoaderFunctionArgs } from "@remix-run/node";
import { notFound, requireStaff } from "../auth/guards.server";
import { readOutboxEml } from "../mailer.server";

export async function loader(args: LoaderFunctionArgs) {
  requireStaff(args);
  const { mailer, config } = args.context;
  const id = args.params.id ?? "";
  const eml = mailer.kind === "outbox" ? readOutboxEml(config.OUTBOX_DIR, id) : null;
  if (!eml) notFound();
  return new Response(new Uint8Array(eml), {
    headers: {
      "Content-Type": "message/rfc822",
      "Content-Disposition": `attachment; filename="${id}.eml"`,
      "Cache-Control": "private, no-store",
    },
  });
}
