// /reports: the partner's monthly reports, one per month from its first month up to last
// month (newest first), to view in the portal or download as PDF; what the signed-in user
// actually receives by email (or not), at which address, when the next one goes and, for an
// admin, who else receives it; and, for partner admins, the delivery format and recipients.
// Every user id from the form is checked against the session's partner: another partner's
// user is a 404.
import { parseWithZod } from "@conform-to/zod";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { REPORT_FORMATS } from "../../db/schema";
import { notFound, requirePartnerAdmin, requirePartnerUser } from "../auth/guards.server";
import { FormErrors } from "../components/forms";
import { actorOf } from "../domain/audit.server";
import { periodLabel } from "../domain/periods";
import { nextReportRun } from "../reports/delivery-schedule.server";
import { partnerReportPeriods } from "../reports/partner-report.server";
import { getReportPreferences, saveReportPreferences } from "../reports/render.server";

export const meta: MetaFunction = () => [{ title: "Reports · Partner Portal" }];

const FORMAT_OPTIONS = [
  { value: "pdf", label: "Email with the PDF attached", hint: "A summary of the month in the email, the full report as a PDF." },
  { value: "email", label: "Summary email only", hint: "The month's figures in the email, with a link to the full report here." },
  { value: "off", label: "Don't email the report", hint: "Reports stay available on this page." },
] as const;

const preferencesSchema = z.object({
  intent: z.literal("preferences"),
  format: z.enum(REPORT_FORMATS, { errorMap: () => ({ message: "Choose how the report is delivered: PDF, summary email or off." }) }),
  recipient: z.array(z.string().trim().min(1).max(64)).max(1000).default([]),
});

export async function loader(args: LoaderFunctionArgs) {
  const user = requirePartnerUser(args);
  const { db } = args.context;
  const preferences = getReportPreferences(db, user.partnerId);
  const mine = preferences?.people.find((p) => p.id === user.id);
  const format = preferences?.format ?? "pdf";
  const next = format === "off" ? null : nextReportRun(db);
  return {
    myEmail: user.email,
    iReceive: format !== "off" && (mine?.receives ?? false),
    next: next ? { when: formatRunTime(next.at, next.timezone), label: periodLabel(next.period) } : null,
    // Who else receives it: an admin's business (they choose); a user only learns their own.
    others:
      user.role === "partner_admin"
        ? (preferences?.people ?? []).filter((p) => p.receives && p.id !== user.id).map((p) => ({ name: p.name, email: p.email }))
        : [],
    partnerName: user.partnerName,
    isAdmin: user.role === "partner_admin",
    me: user.id,
    periods: partnerReportPeriods(db, user.partnerId).map((period) => ({ period, label: periodLabel(period) })),
    format,
    // Colleagues and their choices are for the admin's form only.
    people: user.role === "partner_admin" ? (preferences?.people ?? []) : [],
  };
}

function formatRunTime(at: Date, timeZone: string) {
  const text = new Intl.DateTimeFormat("en-US", { timeZone, dateStyle: "long", timeStyle: "short" }).format(at);
  return `${text} (${timeZone})`;
}

export async function action(args: ActionFunctionArgs) {
  const user = requirePartnerAdmin(args);
  const formData = await args.request.formData();
  const submission = parseWithZod(formData, { schema: preferencesSchema });
  if (submission.status !== "success") {
    return data({ result: submission.reply(), notice: null }, { status: 400 });
  }
  const saved = saveReportPreferences(args.context.db, actorOf(user), user.partnerId, {
    format: submission.value.format,
    recipientIds: submission.value.recipient,
  });
  if (!saved) notFound();
  const count = saved.people.filter((p) => p.receives).length;
  return {
    result: submission.reply(),
    notice:
      saved.format === "off"
        ? "Saved: the monthly report is no longer emailed. It stays available here."
        : `Saved: ${count} ${count === 1 ? "person receives" : "people receive"} the monthly report${saved.format === "pdf" ? " with the PDF attached" : " as a summary email"}.`,
  };
}

export default function Reports() {
  const { partnerName, isAdmin, me, periods, format, people, myEmail, iReceive, next, others } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = navigation.state !== "idle";
  const errors = actionData?.result?.error ?? {};
  const formErrors = actionData?.result?.error?.[""] ?? [];
  const formatLabel = FORMAT_OPTIONS.find((o) => o.value === format)?.label ?? format;
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Reports</h1>
          <p className="muted">
            {partnerName}'s monthly performance reports: KPIs, the 12-month trend, attribution, tier progress, deals and pipeline.
          </p>
        </div>
      </div>

      <section className="card" aria-labelledby="what-you-receive">
        <h2 id="what-you-receive">What you receive</h2>
        <p data-testid="my-report-delivery">
          {format === "off"
            ? `Report emails are turned off for ${partnerName}: you receive nothing by email. The reports stay available below.`
            : iReceive
              ? `You receive the monthly report at ${myEmail} (${formatLabel.toLowerCase()}).${next ? ` The next one, for ${next.label}, goes out on ${next.when}.` : ""}`
              : `You do not receive the monthly report by email (${myEmail} is not on the list).${
                  isAdmin ? " Tick your name under “Who receives it” to get it." : " Ask a partner admin if you would like to receive it."
                }`}
        </p>
        {iReceive ? (
          <p className="muted small">Every report email has an unsubscribe link that stops it for you alone.</p>
        ) : null}
        {isAdmin && format !== "off" ? (
          <p className="muted small" data-testid="other-recipients">
            {others.length === 0
              ? `Nobody else at ${partnerName} receives it.`
              : `Also receiving it: ${others.map((o) => `${o.name} (${o.email})`).join(", ")}.`}
          </p>
        ) : null}
      </section>

      <div className="grid-2" style={{ alignItems: "start" }}>
        <section className="card" aria-labelledby="months">
          <h2 id="months">Monthly reports</h2>
          {periods.length === 0 ? (
            <p className="muted">Your first monthly report is ready at the start of next month.</p>
          ) : (
            <div className="table-wrap">
              <table>
                <caption className="visually-hidden">Monthly reports, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Month</th>
                    <th scope="col">View</th>
                    <th scope="col">PDF</th>
                  </tr>
                </thead>
                <tbody>
                  {periods.map((p) => (
                    <tr key={p.period}>
                      <th scope="row" style={{ textTransform: "none", fontSize: "inherit", letterSpacing: 0, color: "inherit", fontWeight: 600 }}>
                        {p.label}
                      </th>
                      <td>
                        <Link to={`/reports/${p.period}`}>
                          View<span className="visually-hidden"> the {p.label} report</span>
                        </Link>
                      </td>
                      <td>
                        <a href={`/reports/${p.period}.pdf`} download>
                          Download PDF<span className="visually-hidden"> of the {p.label} report</span>
                        </a>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
        {isAdmin ? (
          <section className="card" aria-labelledby="delivery">
            <h2 id="delivery">Delivery by email</h2>
            <p className="muted small">
              On the 1st of each month the report for the month before is emailed to the people of {partnerName} ticked here. New partner
              admins are ticked when they join; anyone can untick themselves with the link in the email.
            </p>
            {actionData?.notice ? (
              <p className="notice" role="status">
                {actionData.notice}
              </p>
            ) : null}
            <Form method="post" className="form" noValidate>
              <input type="hidden" name="intent" value="preferences" />
              <FormErrors errors={formErrors} />
              <fieldset style={{ border: 0, padding: 0, margin: 0 }} aria-describedby={errors.format ? "format-error" : undefined}>
                <legend style={{ fontWeight: 600, marginBottom: "0.4rem" }}>Format</legend>
                {FORMAT_OPTIONS.map((o) => (
                  <label key={o.value} className="row" style={{ alignItems: "flex-start", gap: "0.5rem", marginBottom: "0.4rem", flexWrap: "nowrap" }}>
                    <input type="radio" name="format" value={o.value} defaultChecked={format === o.value} style={{ marginTop: "0.3rem" }} />
                    <span>
                      {o.label}
                      <br />
                      <span className="muted small">{o.hint}</span>
                    </span>
                  </label>
                ))}
                {errors.format ? (
                  <span className="error" id="format-error" role="alert">
                    {errors.format.join(" ")}
                  </span>
                ) : null}
              </fieldset>
              <fieldset style={{ border: 0, padding: 0, margin: 0 }}>
                <legend style={{ fontWeight: 600, marginBottom: "0.4rem" }}>Who receives it</legend>
                {people.map((p) => (
                  <label key={p.id} className="row" style={{ alignItems: "flex-start", gap: "0.5rem", marginBottom: "0.4rem", flexWrap: "nowrap" }}>
                    <input
                      type="checkbox"
                      name="recipient"
                      value={p.id}
                      defaultChecked={p.receives}
                      style={{ marginTop: "0.3rem" }}
                    />
                    <span>
                      {p.name}
                      <br />
                      <span className="muted small">{p.email}</span>
                      {p.role === "partner_admin" ? <span className="muted small"> · partner admin</span> : null}
                      {p.id === me ? <span className="muted small"> (you)</span> : null}
                    </span>
                  </label>
                ))}
                {errors.recipient ? (
                  <span className="error" role="alert">
                    {errors.recipient.join(" ")}
                  </span>
                ) : null}
              </fieldset>
              <div className="row">
                <button type="submit" disabled={busy}>
                  Save delivery settings
                </button>
              </div>
            </Form>
          </section>
        ) : (
          <p className="muted small card">
            {format === "off"
              ? "Your partner admins have turned off report emails: the reports stay available here."
              : `On the 1st of each month the report is emailed (${formatLabel.toLowerCase()}) to the colleagues your partner admins choose.`}
          </p>
        )}
      </div>
    </div>
  );
}
