// "Register a deal": the partner claims a customer account. The website is checked as soon as
// the field is left (already registered? — never by whom); a registration of an account that
// is already registered needs a note for the reviewer and is stored flagged, without the claim.
import { getFormProps, getInputProps, getTextareaProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { z } from "zod";
import { clearDraft, draftFor, formPagePath, readDraft } from "../auth/form-draft.server";
import { requirePartnerUser } from "../auth/guards.server";
import { cookiesAreSecure } from "../auth/lucia.server";
import { Field, FieldError, FormErrors, SelectField, TextareaField } from "../components/forms";
import { actorOf } from "../domain/audit.server";
import { normalizeDomain } from "../domain/customers";
import { registerDealAndNotify } from "../domain/deal-notifications.server";
import { deliverQueued } from "../mail/outbox.server";
import { DealError, registeredDealLocation, type DomainCheck } from "../domain/deals.server";
import { IDEMPOTENCY_FIELD } from "../domain/idempotency";
import { IdempotencyError, idempotencyKeyOf, newIdempotencyToken } from "../domain/idempotency.server";
import { programCurrency } from "../domain/program-settings.server";
import { DEAL_CURRENCIES, isDealCurrency, parseAmountToCents, PRODUCT_LINES, type AmountParse } from "../domain/products";
import type { DomainCheckAnswer } from "./_portal.deals.check-domain";

export const meta: MetaFunction = () => [{ title: "Register a deal · Partner Portal" }];

const HOUR = 3_600_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * "Today or later" for a partner anywhere: the earliest calendar date that is still today
 * somewhere (UTC−12), so an evening in California is not refused because UTC is already
 * tomorrow. The latest close is two years from today (UTC).
 */
function closeDateBounds(now = new Date()) {
  const min = isoDay(now.getTime() - 12 * HOUR);
  const max = isoDay(Date.UTC(now.getUTCFullYear() + 2, now.getUTCMonth(), now.getUTCDate()));
  return { min, max };
}

const AMOUNT_MESSAGES: Record<Extract<AmountParse, { ok: false }>["reason"], string> = {
  empty: "Enter the estimated amount of the deal.",
  format: "Enter the amount as a number such as 25000 or 25,000.50, without a minus sign or letters.",
  decimals: "Use at most 2 decimals, such as 25000.50.",
  zero: "Enter an amount above zero.",
  too_large: "That amount is too large: check the number of zeros.",
};

function registrationSchema(now = new Date()) {
  const { min, max } = closeDateBounds(now);
  return z
    .object({
      companyName: z
        .string({ required_error: "Enter the customer's company name." })
        .trim()
        .min(2, "Enter the customer's full company name.")
        .max(120, "Shorten the company name to 120 characters or fewer."),
      website: z
        .string({ required_error: "Enter the customer's website, such as acme.com." })
        .trim()
        .max(255, "Enter just the website's address, such as acme.com.")
        .transform((value, ctx) => {
          const domain = normalizeDomain(value);
          if (!domain) {
            ctx.addIssue({
              code: z.ZodIssueCode.custom,
              message:
                "Enter the customer's website as a domain such as acme.com or a URL such as https://www.acme.com.",
            });
            return z.NEVER;
          }
          return domain;
        }),
      contactName: z
        .string({ required_error: "Enter the name of your contact at the customer." })
        .trim()
        .min(2, "Enter your contact's full name.")
        .max(120, "Shorten the contact's name to 120 characters or fewer."),
      contactEmail: z
        .string({ required_error: "Enter your contact's email address." })
        .trim()
        .max(254, "Enter a shorter email address.")
        .email("Enter an email address such as jordan@acme.com."),
      amount: z
        .string({ required_error: AMOUNT_MESSAGES.empty })
        .max(40, AMOUNT_MESSAGES.too_large)
        .transform((value, ctx) => {
          const parsed = parseAmountToCents(value);
          if (!parsed.ok) {
            ctx.addIssue({ code: z.ZodIssueCode.custom, message: AMOUNT_MESSAGES[parsed.reason] });
            return z.NEVER;
          }
          return parsed.cents;
        }),
      currency: z.enum(DEAL_CURRENCIES, {
        errorMap: () => ({ message: "Choose the currency of the amount: USD, EUR or GBP." }),
      }),
      expectedCloseOn: z
        .string({ required_error: "Enter the date you expect the deal to close." })
        .regex(/^\d{4}-\d{2}-\d{2}$/, "Enter the date as YYYY-MM-DD, such as 2030-06-30.")
        .refine(
          (s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && isoDay(Date.parse(`${s}T00:00:00Z`)) === s,
          "That date does not exist: check the day and month.",
        )
        .refine((s) => s >= min, "The expected close date cannot be in the past: choose today or a later date.")
        .refine((s) => s <= max, "Choose an expected close date within the next 2 years."),
      productLine: z.enum(PRODUCT_LINES, {
        errorMap: () => ({ message: "Choose the product line the customer is buying." }),
      }),
      notes: z.string().trim().max(2000, "Shorten the notes to 2,000 characters or fewer.").optional(),
      /** Present once the form knows the account is already registered (on blur or a 409). */
      acknowledgeConflict: z.literal("1").optional(),
      conflictNote: z.string().trim().max(1000, "Shorten the note to 1,000 characters or fewer.").optional(),
    })
    .superRefine((value, ctx) => {
      if (value.acknowledgeConflict && (value.conflictNote ?? "").length < 10) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ["conflictNote"],
          message:
            "Write a note for the reviewer of at least 10 characters: why this registration should stand (for example a different buying unit, or an opportunity you sourced).",
        });
      }
    });
}

export async function loader(args: LoaderFunctionArgs) {
  const user = requirePartnerUser(args);
  const currency = programCurrency(args.context.db);
  // What was typed before the session ended (see auth/form-draft.server.ts), for this user only.
  const kept = draftFor(args.request.headers.get("Cookie"), {
    path: formPagePath(args.request.url),
    userId: user.id,
    secret: args.context.config.APP_SECRET,
  });
  return {
    defaultCurrency: isDealCurrency(currency) ? currency : "USD",
    closeDate: closeDateBounds(),
    // One per render: a double click or a retry of this page registers once.
    idempotencyToken: newIdempotencyToken(),
    kept,
  };
}

export async function action(args: ActionFunctionArgs) {
  const user = requirePartnerUser(args);
  const formData = await args.request.formData();
  const submission = parseWithZod(formData, { schema: registrationSchema() });
  if (submission.status !== "success") {
    return data({ result: submission.reply(), conflict: null }, { status: 400 });
  }
  const v = submission.value;
  let result;
  try {
    const key = idempotencyKeyOf(formData, user.id, "deal.register");
    // The reviewers' "New registration" email is queued in the registration's transaction.
    result = registerDealAndNotify(
      args.context,
      { userId: user.id, partnerId: user.partnerId, actor: actorOf(user) },
      {
        companyName: v.companyName,
        domain: v.website,
        contactName: v.contactName,
        contactEmail: v.contactEmail,
        amountCents: v.amount,
        currency: v.currency,
        expectedCloseOn: v.expectedCloseOn,
        productLine: v.productLine,
        notes: v.notes ?? "",
        conflictNote: v.conflictNote || null,
      },
      new Date(),
      key,
    );
  } catch (error) {
    if (error instanceof DealError || error instanceof IdempotencyError) {
      return data({ result: submission.reply({ formErrors: [error.message] }), conflict: null }, { status: error.status });
    }
    throw error;
  }
  if (result.status === "replayed") return redirect(result.location);
  if (result.status === "needs_confirmation") {
    // The form stays as typed; the answer says only "already registered" (or "yours").
    return data({ result: submission.reply(), conflict: result.check }, { status: 409 });
  }
  await deliverQueued(args.context);
  // The kept entries are submitted now: the browser need not keep them any longer.
  const headers = readDraft(args.request.headers.get("Cookie"), args.context.config.APP_SECRET)
    ? { "Set-Cookie": clearDraft(cookiesAreSecure(args.context.config)) }
    : undefined;
  return redirect(registeredDealLocation(result.dealId, result.conflict), { headers });
}

type KnownConflict = Exclude<DomainCheck, { status: "free" }>;

function ConflictMessage({ check }: { check: KnownConflict }) {
  if (check.status === "own") {
    return (
      <>
        You already registered this account — see <Link to={`/deals/${check.dealId}`}>deal #{check.dealId}</Link>. If
        this is a different opportunity, you can still submit it for review with a note.
      </>
    );
  }
  return <>This account is already registered. You can still submit it for review with a note.</>;
}

export default function RegisterDeal() {
  const { defaultCurrency, closeDate, idempotencyToken, kept } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const [conflict, setConflict] = useState<KnownConflict | null>(actionData?.conflict ?? null);
  const [signedOut, setSignedOut] = useState(false);
  const pendingCheck = useRef<AbortController | null>(null);

  // The latest word wins: a 409 from the action, or the check of the website just left.
  useEffect(() => {
    if (actionData?.conflict) setConflict(actionData.conflict);
  }, [actionData]);

  // A plain fetch, not a navigation: a session that ended answers 401 and the form says so in
  // place, keeping everything typed (a submit then keeps it through sign-in).
  async function checkWebsite(website: string) {
    pendingCheck.current?.abort();
    const controller = new AbortController();
    pendingCheck.current = controller;
    try {
      const response = await fetch(`/deals/check-domain?website=${encodeURIComponent(website)}`, {
        signal: controller.signal,
        headers: { Accept: "application/json" },
      });
      if (response.status === 401) {
        setSignedOut(true);
        return;
      }
      if (!response.ok) return;
      const answer = (await response.json()) as DomainCheckAnswer;
      setSignedOut(false);
      setConflict(answer.status === "own" || answer.status === "already_registered" ? answer : null);
    } catch {
      // Superseded by a newer check, or offline: the submission checks again on the server.
    }
  }

  const [form, fields] = useForm({
    lastResult: actionData?.result,
    constraint: getZodConstraint(registrationSchema()),
    defaultValue: { currency: defaultCurrency, ...kept },
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: registrationSchema() }),
  });
  const submitting = navigation.state === "submitting";
  const checkId = `${fields.website.id}-check`;
  const refused = actionData?.conflict != null && conflict === actionData.conflict;

  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Register a deal</h1>
          <p className="muted">
            An approved registration protects the account for your company. The partner team reviews every
            registration.
          </p>
        </div>
        <Link to="/deals" className="button secondary">
          Back to deals
        </Link>
      </div>
      {kept ? (
        <p className="info" role="status">
          Your entries from before your session ended are filled in below. Check them and submit.
        </p>
      ) : null}
      <div className="card">
        <Form method="post" className="form" {...getFormProps(form)}>
          <FormErrors errors={form.errors} id={form.errorId} />
          <input type="hidden" name={IDEMPOTENCY_FIELD} value={idempotencyToken} />
          <fieldset className="stack" style={{ border: 0, padding: 0, margin: 0 }}>
            <legend className="visually-hidden">Customer</legend>
            <Field meta={fields.companyName} label="Customer company" autoComplete="off" />
            <div className="field">
              <label htmlFor={fields.website.id}>Website</label>
              <input
                {...getInputProps(fields.website, { type: "text", ariaDescribedBy: `${fields.website.id}-hint ${checkId}` })}
                key={fields.website.key}
                inputMode="url"
                autoComplete="off"
                onBlur={(event) => {
                  const website = event.currentTarget.value.trim();
                  if (!website) {
                    setConflict(null);
                    return;
                  }
                  void checkWebsite(website);
                }}
              />
              <span className="hint" id={`${fields.website.id}-hint`}>
                The customer's domain, such as acme.com: it identifies the account.
              </span>
              <FieldError meta={fields.website} />
              <div id={checkId} aria-live="polite">
                {signedOut ? (
                  <p className="form-error small" style={{ marginTop: "0.35rem", marginBottom: 0 }}>
                    Signed out: this website could not be checked. Your entries stay here; submitting takes you to
                    sign in and keeps them.
                  </p>
                ) : null}
                {conflict && !refused ? (
                  <p className="info small" style={{ marginTop: "0.35rem", marginBottom: 0 }}>
                    <ConflictMessage check={conflict} />
                  </p>
                ) : null}
              </div>
            </div>
            <Field meta={fields.contactName} label="Contact name" autoComplete="off" />
            <Field meta={fields.contactEmail} label="Contact email" type="email" autoComplete="off" />
          </fieldset>
          <fieldset className="stack" style={{ border: 0, padding: 0, margin: 0 }}>
            <legend className="visually-hidden">Opportunity</legend>
            <div className="row" style={{ alignItems: "flex-start" }}>
              <div style={{ flex: "2 1 220px" }}>
                <Field
                  meta={fields.amount}
                  label="Estimated amount"
                  hint="In the currency chosen next to it, with up to 2 decimals, such as 25000 or 25,000.50."
                  placeholder="25000"
                />
              </div>
              <div style={{ flex: "1 1 120px" }}>
                <SelectField
                  meta={fields.currency}
                  label="Currency"
                  options={DEAL_CURRENCIES.map((c) => ({ value: c, label: c }))}
                />
              </div>
            </div>
            <Field
              meta={fields.expectedCloseOn}
              label="Expected close date"
              type="date"
              min={closeDate.min}
              hint={`Today or later, and no later than ${closeDate.max}.`}
            />
            <SelectField
              meta={fields.productLine}
              label="Product line"
              placeholder="Choose a product line"
              options={PRODUCT_LINES.map((p) => ({ value: p, label: p }))}
            />
            <TextareaField
              meta={fields.notes}
              label="Notes (optional)"
              hint="What the customer needs, who is involved, where the opportunity stands."
            />
          </fieldset>
          {conflict ? (
            <section className="card stack" aria-labelledby="conflict-heading" style={{ borderColor: "#f0d58a" }}>
              <input type="hidden" name="acknowledgeConflict" value="1" />
              <h2 id="conflict-heading" style={{ marginBottom: 0 }}>
                {conflict.status === "own" ? "You already registered this account" : "This account is already registered"}
              </h2>
              {refused ? (
                <p role="alert" className="form-error" style={{ margin: 0 }}>
                  <ConflictMessage check={conflict} />
                </p>
              ) : null}
              <p className="muted small" style={{ margin: 0 }}>
                The partner team reviews it with the other registration. It does not protect the account for you unless
                they approve it.
              </p>
              <div className="field">
                <label htmlFor={fields.conflictNote.id}>Note for the reviewer</label>
                <textarea
                  {...getTextareaProps(fields.conflictNote, { ariaDescribedBy: `${fields.conflictNote.id}-hint` })}
                  key={fields.conflictNote.key}
                  required
                />
                <span className="hint" id={`${fields.conflictNote.id}-hint`}>
                  Why this registration should stand: a different buying unit, an opportunity you sourced, your contact
                  and history with the customer.
                </span>
                <FieldError meta={fields.conflictNote} />
              </div>
            </section>
          ) : null}
          <div className="row">
            <button type="submit" disabled={submitting}>
              {submitting ? "Submitting…" : conflict ? "Submit for review anyway" : "Register deal"}
            </button>
            <Link to="/deals">Cancel</Link>
          </div>
        </Form>
      </div>
    </div>
  );
}
