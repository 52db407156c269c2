// /unsubscribe/<token>: the link in every monthly report email (List-Unsubscribe). Works without
// signing in: GET shows who is unsubscribed and a button; POST (the button, or a mail client's
// RFC 8058 one-click POST of "List-Unsubscribe=One-Click", which carries no CSRF token and may
// come from anywhere — the server's origin check lets this one path through) turns that user's
// report opt-in off. A link that was altered is refused with a page that says what to do.
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import {
  getReportSubscriber,
  unsubscribeFromReports,
  verifyUnsubscribeToken,
} from "../domain/report-unsubscribe.server";

export const meta: MetaFunction = () => [{ title: "Unsubscribe from the monthly report · Partner Portal" }, { name: "robots", content: "noindex" }];

const INVALID =
  "This unsubscribe link is not valid: it may have been cut off or changed when it was copied. Open the link from the report email again, or sign in and change your report settings on the Reports page.";

export async function loader({ params, context }: LoaderFunctionArgs) {
  const userId = verifyUnsubscribeToken(context.config.APP_SECRET, params.token ?? "");
  const subscriber = userId ? getReportSubscriber(context.db, userId) : null;
  if (!subscriber) return data({ ok: false as const, message: INVALID }, { status: 400 });
  return { ok: true as const, email: subscriber.email, optedIn: subscriber.optedIn };
}

export async function action({ params, context }: ActionFunctionArgs) {
  const userId = verifyUnsubscribeToken(context.config.APP_SECRET, params.token ?? "");
  const done = userId ? unsubscribeFromReports(context.db, userId) : null;
  if (!done) return data({ ok: false as const, message: INVALID }, { status: 400 });
  return { ok: true as const, email: done.email };
}

export default function Unsubscribe() {
  const loaded = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  const refusal = !loaded.ok ? loaded.message : result && !result.ok ? result.message : null;
  return (
    <div className="auth">
      <main className="card" id="main">
        <h1>Monthly report emails</h1>
        {refusal ? (
          <p className="error" role="alert">
            {refusal}
          </p>
        ) : result?.ok ? (
          <p className="notice" role="status">
            {`Done: ${result.email} no longer receives the monthly report by email. The reports stay available on the Reports page, where you or a partner admin can turn the emails back on.`}
          </p>
        ) : loaded.ok && !loaded.optedIn ? (
          <p className="notice" role="status">
            {`${loaded.email} does not receive the monthly report by email. The reports stay available on the Reports page.`}
          </p>
        ) : loaded.ok ? (
          <>
            <p>
              Stop emailing the monthly partner report to <strong>{loaded.email}</strong>? The reports stay available on
              the Reports page.
            </p>
            <Form method="post">
              <button type="submit" disabled={busy}>
                {`Unsubscribe ${loaded.email}`}
              </button>
            </Form>
          </>
        ) : null}
        <div className="links">
          <Link to="/login">Sign in to the Partner Portal</Link>
        </div>
      </main>
    </div>
  );
}
