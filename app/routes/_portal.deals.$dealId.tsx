// One of the partner's own deals: its facts, its timeline, the partner's activities on it (and
// a form to log one), and its history. Another partner's deal is a 404, like a missing one.
import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { z } from "zod";
import { JOURNEY_STAGES, PILLARS, TOUCH_KINDS, type DealStage } from "../../db/schema";
import { notFound, requirePartnerUser } from "../auth/guards.server";
import { keptEntries, keptEntriesDone } from "../auth/kept-entries.server";
import { FieldError, FormErrors, humanize, SelectField, TextareaField } from "../components/forms";
import { actorOf } from "../domain/audit.server";
import {
  EXPIRY_WARNING_DAYS,
  JOURNEY_STAGE_LABELS,
  PILLAR_LABELS,
  TOUCH_KIND_LABELS,
} from "../domain/deals";
import { DealError } from "../domain/deals.server";
import { IDEMPOTENCY_FIELD } from "../domain/idempotency";
import { IdempotencyError, idempotencyKeyOf, newIdempotencyToken } from "../domain/idempotency.server";
import { addPartnerTouch, getPartnerDeal, partnerDealHistory, partnerTouchLocation } from "../domain/partner-deals.server";
import { formatDate, formatMoney } from "../domain/format";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.deal.title ?? "Deal"} · Partner Portal` },
];

const DAY = 86_400_000;
const HOUR = 3_600_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

const STAGE_BADGE: Record<DealStage, string> = {
  submitted: "",
  approved: "ok",
  rejected: "danger",
  won: "ok",
  lost: "neutral",
  expired: "warn",
};

/** Only a plain positive integer is a deal id: "12abc", "1e3" and "-1" are not found. */
function dealIdFrom(param: string | undefined): number {
  if (!param || !/^[1-9]\d{0,11}$/.test(param)) notFound();
  return Number(param);
}

type Deal = NonNullable<ReturnType<typeof getPartnerDeal>>["deal"];

/**
 * The dates an activity may be logged on: from the day the deal was submitted to today, or
 * to its close. Calendar days as the partner sees them: the submission day and today are
 * taken as early / late as any time zone has them (UTC−12 / UTC+14).
 */
function touchDateBounds(deal: Pick<Deal, "submittedAt" | "closedAt">, now = new Date()) {
  const latest = Math.min(now.getTime() + 14 * HOUR, deal.closedAt ? deal.closedAt.getTime() + 14 * HOUR : Infinity);
  return { min: isoDay(deal.submittedAt.getTime() - 12 * HOUR), max: isoDay(latest) };
}

function touchSchema(bounds: { min: string; max: string }) {
  return z.object({
    kind: z.enum(TOUCH_KINDS, { errorMap: () => ({ message: "Choose what kind of activity it was." }) }),
    pillar: z.enum(PILLARS, { errorMap: () => ({ message: "Choose the pillar: build, market, sell or serve." }) }),
    journeyStage: z.enum(JOURNEY_STAGES, {
      errorMap: () => ({ message: "Choose where the customer was in their journey." }),
    }),
    occurredOn: z
      .string({ required_error: "Enter the date of the activity." })
      .regex(/^\d{4}-\d{2}-\d{2}$/, "Enter the date as YYYY-MM-DD.")
      .refine(
        (s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && isoDay(Date.parse(`${s}T00:00:00Z`)) === s,
        "That date does not exist: check the day and month.",
      )
      .refine((s) => s >= bounds.min, `The activity cannot be before the deal was submitted (${bounds.min}).`)
      .refine((s) => s <= bounds.max, `The activity cannot be in the future or after the deal closed (${bounds.max}).`),
    note: z.string().trim().max(1000, "Shorten the note to 1,000 characters or fewer.").optional(),
  });
}

const options = <K extends string>(labels: Record<K, string>) =>
  (Object.entries(labels) as [K, string][]).map(([value, label]) => ({ value, label }));

type TimelineEntry = { key: string; label: string; at: string | null; detail?: string; expiresSoon?: boolean };

function timelineOf(deal: Deal, now: number): TimelineEntry[] {
  const entries: TimelineEntry[] = [
    { key: "submitted", label: "Registration submitted", at: deal.submittedAt.toISOString() },
  ];
  if (deal.stage === "submitted") {
    entries.push({ key: "review", label: "Waiting for the partner team's review", at: null });
    return entries;
  }
  if (deal.stage === "rejected") {
    entries.push({
      key: "decided",
      label: "Registration rejected",
      at: deal.decidedAt?.toISOString() ?? null,
      detail: deal.rejectionReason ? `Reason: ${deal.rejectionReason}` : undefined,
    });
    return entries;
  }
  entries.push({ key: "decided", label: "Registration approved", at: deal.decidedAt?.toISOString() ?? null });
  if (deal.protectionEndsAt && (deal.stage === "approved" || deal.stage === "expired")) {
    const ends = deal.protectionEndsAt.getTime();
    const soon = deal.stage === "approved" && ends > now && ends - now <= EXPIRY_WARNING_DAYS * DAY;
    entries.push({
      key: "protection",
      label: ends > now ? "Protection ends" : "Protection ended",
      at: deal.protectionEndsAt.toISOString(),
      detail:
        deal.stage === "approved" && ends > now
          ? "Close the deal before then, or the registration expires and the account is no longer protected."
          : undefined,
      expiresSoon: soon,
    });
  }
  if (deal.stage === "won") {
    entries.push({
      key: "closed",
      label: `Closed won at ${formatMoney(deal.amountCents, deal.currency)}`,
      at: deal.closedAt?.toISOString() ?? null,
    });
  } else if (deal.stage === "lost") {
    entries.push({
      key: "closed",
      label: "Closed lost",
      at: deal.closedAt?.toISOString() ?? null,
      detail: deal.lostReason ? `Reason: ${deal.lostReason}` : undefined,
    });
  } else if (deal.stage === "expired") {
    entries.push({
      key: "closed",
      label: "Registration expired: protection ran out without a close",
      at: deal.closedAt?.toISOString() ?? null,
    });
  }
  return entries;
}

const NOTICES = {
  registered: "Your deal is registered. The partner team will review it; you will hear from us by email.",
  flagged:
    "Your deal is submitted for review with your note. The account was already registered, so it is not protected for you unless the partner team approves it.",
  touch: "Activity logged.",
} as const;

export async function loader(args: LoaderFunctionArgs) {
  const user = requirePartnerUser(args);
  const id = dealIdFrom(args.params.dealId);
  const found = getPartnerDeal(args.context.db, user.partnerId, id);
  if (!found) notFound();
  const { deal } = found;
  const now = Date.now();
  const notice = new URL(args.request.url).searchParams.get("notice");
  return {
    deal: {
      id: deal.id,
      title: deal.title,
      customer: deal.customer,
      domain: deal.domain,
      stage: deal.stage,
      amount: formatMoney(deal.amountCents, deal.currency),
      productLine: deal.productLine,
      expectedCloseOn: deal.expectedCloseOn,
      contactName: deal.contactName,
      contactEmail: deal.contactEmail,
      notes: deal.notes,
      conflictNote: deal.conflictNote,
      submittedAt: deal.submittedAt.toISOString(),
    },
    timeline: timelineOf(deal, now),
    touches: found.touches.map((t) => ({
      id: t.id,
      occurredAt: t.occurredAt.toISOString(),
      kind: TOUCH_KIND_LABELS[t.kind],
      pillar: PILLAR_LABELS[t.pillar],
      journeyStage: JOURNEY_STAGE_LABELS[t.journeyStage],
      note: t.note,
    })),
    history: partnerDealHistory(args.context.db, user.partnerId, id).map((h) => ({
      id: h.id,
      at: h.at.toISOString(),
      what: h.what,
      by: h.by,
    })),
    canLogActivity: deal.stage !== "rejected",
    touchDate: { ...touchDateBounds(deal), suggested: [isoDay(now), touchDateBounds(deal).max].sort()[0]! },
    touchOptions: {
      kinds: options(TOUCH_KIND_LABELS),
      pillars: options(PILLAR_LABELS),
      journeyStages: options(JOURNEY_STAGE_LABELS),
    },
    notice: notice && notice in NOTICES ? NOTICES[notice as keyof typeof NOTICES] : null,
    // One per render: a double click or a retry of the activity form logs it once.
    idempotencyToken: newIdempotencyToken(),
    // What was typed in the activity form before the session ended, for this user only.
    kept: keptEntries(args, user.id),
  };
}

export async function action(args: ActionFunctionArgs) {
  const user = requirePartnerUser(args);
  const id = dealIdFrom(args.params.dealId);
  const { db } = args.context;
  const found = getPartnerDeal(db, user.partnerId, id);
  if (!found) notFound();
  const formData = await args.request.formData();
  const submission = parseWithZod(formData, { schema: touchSchema(touchDateBounds(found.deal)) });
  if (submission.status !== "success") {
    return data(submission.reply(), { status: 400 });
  }
  if (found.deal.stage === "rejected") {
    return data(submission.reply({ formErrors: ["This registration was rejected: activities can no longer be logged on it."] }), {
      status: 409,
    });
  }
  const v = submission.value;
  // A day is stored as its noon (UTC), kept inside [submission, now or the close] so the
  // registration touch stays first and nothing lands in the future.
  const latest = Math.min(Date.now(), found.deal.closedAt?.getTime() ?? Infinity);
  const occurredAt = new Date(
    Math.min(Math.max(Date.parse(`${v.occurredOn}T12:00:00Z`), found.deal.submittedAt.getTime()), latest),
  );
  let result;
  try {
    const key = idempotencyKeyOf(formData, user.id, `deal.${id}.touch`);
    result = addPartnerTouch(
      db,
      { userId: user.id, partnerId: user.partnerId, actor: actorOf(user) },
      id,
      { occurredAt, kind: v.kind, pillar: v.pillar, journeyStage: v.journeyStage, note: v.note ?? "" },
      key,
    );
  } catch (error) {
    if (error instanceof DealError && error.status === 404) notFound();
    if (error instanceof DealError || error instanceof IdempotencyError) {
      return data(submission.reply({ formErrors: [error.message] }), { status: error.status });
    }
    throw error;
  }
  if (result.status === "replayed") return redirect(result.location);
  // The kept entries are submitted now: the browser need not keep them any longer.
  return redirect(partnerTouchLocation(id), { headers: keptEntriesDone(args) });
}

function When({ iso, withTime = false }: { iso: string; withTime?: boolean }) {
  const time = withTime ? ` ${iso.slice(11, 16)} UTC` : "";
  return <time dateTime={iso}>{formatDate(iso) + time}</time>;
}

export default function DealPage() {
  const { deal, timeline, touches, history, canLogActivity, touchDate, touchOptions, notice, idempotencyToken, kept } =
    useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const navigation = useNavigation();
  const schema = touchSchema(touchDate);
  // A logged activity comes back as one more row: empty the form for the next one.
  const logged = useRef(touches.length);
  const [form, fields] = useForm({
    id: "log-activity",
    lastResult,
    constraint: getZodConstraint(schema),
    defaultValue: { occurredOn: touchDate.suggested, ...kept },
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
  });
  useEffect(() => {
    if (touches.length !== logged.current) {
      logged.current = touches.length;
      form.reset();
    }
  }, [touches.length, form]);

  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <p className="small muted" style={{ margin: 0 }}>
            <Link to="/deals">Deals</Link> / #{deal.id}
          </p>
          <h1>{deal.title}</h1>
          <p className="muted">
            {deal.customer} · {deal.domain}
          </p>
        </div>
        <span className={`badge ${STAGE_BADGE[deal.stage]}`}>{humanize(deal.stage)}</span>
      </div>

      {notice ? (
        <p className="notice" role="status">
          {notice}
        </p>
      ) : null}

      <div className="grid-2">
        <section className="card" aria-labelledby="facts-heading">
          <h2 id="facts-heading">Deal</h2>
          <dl className="facts">
            <dt>Customer</dt>
            <dd>
              {deal.customer} ({deal.domain})
            </dd>
            <dt>Stage</dt>
            <dd>{humanize(deal.stage)}</dd>
            <dt>Estimated amount</dt>
            <dd>{deal.amount}</dd>
            <dt>Product line</dt>
            <dd>{deal.productLine}</dd>
            <dt>Expected close</dt>
            <dd>{formatDate(deal.expectedCloseOn)}</dd>
            <dt>Contact</dt>
            <dd>
              {deal.contactName ?? "—"}
              {deal.contactEmail ? (
                <>
                  {" "}
                  · <a href={`mailto:${deal.contactEmail}`}>{deal.contactEmail}</a>
                </>
              ) : null}
            </dd>
            <dt>Submitted</dt>
            <dd>
              <When iso={deal.submittedAt} />
            </dd>
            {deal.notes ? (
              <>
                <dt>Notes</dt>
                <dd style={{ whiteSpace: "pre-wrap" }}>{deal.notes}</dd>
              </>
            ) : null}
            {deal.conflictNote ? (
              <>
                <dt>Your note for the reviewer</dt>
                <dd style={{ whiteSpace: "pre-wrap" }}>{deal.conflictNote}</dd>
              </>
            ) : null}
          </dl>
        </section>

        <section className="card" aria-labelledby="timeline-heading">
          <h2 id="timeline-heading">Timeline</h2>
          <ol style={{ margin: 0, paddingLeft: "1.25rem", display: "grid", gap: "0.6rem" }}>
            {timeline.map((t) => (
              <li key={t.key}>
                <strong>{t.label}</strong>
                {t.expiresSoon ? (
                  <>
                    {" "}
                    <span className="badge warn">Expires soon</span>
                  </>
                ) : null}
                <br />
                <span className="muted small">{t.at ? <When iso={t.at} /> : "Not yet"}</span>
                {t.detail ? <p style={{ margin: "0.2rem 0 0" }}>{t.detail}</p> : null}
              </li>
            ))}
          </ol>
        </section>
      </div>

      <section className="card stack" aria-labelledby="activities-heading" id="activities">
        <h2 id="activities-heading" style={{ marginBottom: 0 }}>
          Your activities on this deal
        </h2>
        {touches.length ? (
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">Activities your company logged on this deal, oldest first</caption>
              <thead>
                <tr>
                  <th scope="col">Date</th>
                  <th scope="col">Activity</th>
                  <th scope="col">Pillar</th>
                  <th scope="col">Journey stage</th>
                  <th scope="col">Note</th>
                </tr>
              </thead>
              <tbody>
                {touches.map((t) => (
                  <tr key={t.id}>
                    <td>
                      <When iso={t.occurredAt} />
                    </td>
                    <td>{t.kind}</td>
                    <td>{t.pillar}</td>
                    <td>{t.journeyStage}</td>
                    <td style={{ whiteSpace: "pre-wrap" }}>{t.note || "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="muted">No activities logged yet.</p>
        )}

        {canLogActivity ? (
          <Form method="post" className="form" {...getFormProps(form)} aria-labelledby="log-heading">
            <h3 id="log-heading">Log an activity</h3>
            {kept ? (
              <p className="info" role="status">
                Your entries from before your session ended are filled in below. Check them and log the activity.
              </p>
            ) : null}
            <FormErrors errors={form.errors} id={form.errorId} />
            <input type="hidden" name={IDEMPOTENCY_FIELD} value={idempotencyToken} />
            <SelectField meta={fields.kind} label="Activity" placeholder="Choose an activity" options={touchOptions.kinds} />
            <SelectField meta={fields.pillar} label="Pillar" placeholder="Choose a pillar" options={touchOptions.pillars} />
            <SelectField
              meta={fields.journeyStage}
              label="Customer journey stage"
              placeholder="Choose a stage"
              options={touchOptions.journeyStages}
            />
            <div className="field">
              <label htmlFor={fields.occurredOn.id}>Date</label>
              <input
                {...getInputProps(fields.occurredOn, { type: "date", ariaDescribedBy: `${fields.occurredOn.id}-hint` })}
                key={fields.occurredOn.key}
                min={touchDate.min}
                max={touchDate.max}
              />
              <span className="hint" id={`${fields.occurredOn.id}-hint`}>
                Between {formatDate(touchDate.min)} (when the deal was submitted) and {formatDate(touchDate.max)}.
              </span>
              <FieldError meta={fields.occurredOn} />
            </div>
            <TextareaField meta={fields.note} label="Note (optional)" hint="What happened, with whom." />
            <div className="row">
              <button type="submit" disabled={navigation.state === "submitting"}>
                {navigation.state === "submitting" ? "Saving…" : "Log activity"}
              </button>
            </div>
          </Form>
        ) : (
          <p className="muted small">This registration was rejected: activities can no longer be logged on it.</p>
        )}
      </section>

      <section className="card" aria-labelledby="history-heading">
        <h2 id="history-heading">History</h2>
        {history.length ? (
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">What happened to this deal, when and by whom, oldest first</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">What happened</th>
                  <th scope="col">By</th>
                </tr>
              </thead>
              <tbody>
                {history.map((h) => (
                  <tr key={h.id}>
                    <td>
                      <When iso={h.at} withTime />
                    </td>
                    <td>{h.what}</td>
                    <td>{h.by}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="muted">Nothing recorded yet.</p>
        )}
      </section>
    </div>
  );
}
