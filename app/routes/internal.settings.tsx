// Program settings, for program admins only: the program's name, its default attribution model,
// the deal protection window and the tier ladder. "Preview" shows what the new model and ladder
// would do to today's partners without writing anything; "Save" writes everything at once.
import { domainOfAddress, mailDomainProblem } from "../mail/message-id";
import { getFormProps, getInputProps, useForm, type SubmissionResult } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { ATTRIBUTION_MODELS } from "../../db/schema";
import { requireAdmin } from "../auth/guards.server";
import { keptEntries, keptEntriesDone } from "../auth/kept-entries.server";
import { isStaffTwoFactorRequired, setStaffTwoFactorRequired } from "../auth/two-factor.server";
import { Field, FieldError, FormErrors, SelectField, TextareaField } from "../components/forms";
import { MODEL_DESCRIPTION, MODEL_LABEL } from "../domain/attribution";
import { actorOf } from "../domain/audit.server";
import { deliverQueued } from "../mail/outbox.server";
import { formatDate, formatMoney } from "../domain/format";
import { IDEMPOTENCY_FIELD } from "../domain/idempotency";
import { IdempotencyError, idempotencyKeyOf, newIdempotencyToken, replayOf } from "../domain/idempotency.server";
import { loadLadder } from "../domain/tier-metrics.server";
import {
  getProgramSettings,
  ladderProblems,
  ladderUsage,
  previewProgramChange,
  saveProgramSettings,
  SettingsError,
  wideReachingChange,
  type LadderPreview,
  type LadderRow,
} from "../domain/program-settings.server";
import { validateLadder } from "../domain/tiers";
import { PAPER_SIZES } from "../reports/contract";

export const meta: MetaFunction = () => [{ title: "Settings · Partner team" }];

/** "50,000.50" → 5000050 cents, exactly (no floating point on the way). */
const currencyUnits = z
  .string({ required_error: "Enter the minimum revenue (0 for none)." })
  .trim()
  .transform((s) => s.replace(/[,\s]/g, ""))
  .pipe(
    z
      .string()
      .regex(/^\d+(\.\d{1,2})?$/, "Enter an amount such as 50000 or 50000.50.")
      .transform((s) => {
        const [whole, cents = ""] = s.split(".");
        return Number(whole) * 100 + Number(cents.padEnd(2, "0"));
      })
      .refine((cents) => Number.isSafeInteger(cents), "That amount is too large.")
  );

/** "55.5" → 5550 basis points; empty = no win-rate threshold. */
const percentBp = z
  .string()
  .trim()
  .regex(/^\d{1,3}(\.\d{1,2})?$/, "Enter a percentage such as 35 or 37.5, or leave it empty.")
  .transform((s) => {
    const [whole, frac = ""] = s.split(".");
    return Number(whole) * 100 + Number(frac.padEnd(2, "0"));
  })
  .refine((bp) => bp <= 10_000, "A win rate is at most 100%.")
  .optional();

const tierRow = z.object({
  id: z.number().int().positive().optional(),
  name: z.string({ required_error: "Give the tier a name." }).trim().max(60, "Keep the name to 60 characters."),
  rank: z
    .number({ required_error: "Give the tier a rank.", invalid_type_error: "The rank is a whole number." })
    .int("The rank is a whole number.")
    .min(0, "The rank is 0 or more.")
    .max(1000, "The rank is at most 1,000."),
  minRevenue: currencyUnits,
  minWonDeals: z
    .number({
      required_error: "Enter the minimum won deals (0 for none).",
      invalid_type_error: "Enter a whole number.",
    })
    .int("Enter a whole number.")
    .min(0, "Enter 0 or more.")
    .max(1_000_000, "That is too many."),
  minWinRate: percentBp,
  thresholdRule: z.enum(["all", "any"], { required_error: "Choose how the thresholds combine." }),
  benefits: z.string().trim().max(2000, "Keep the benefits to 2,000 characters.").optional(),
  remove: z.boolean().optional(),
});

type TierRowValue = z.infer<typeof tierRow>;

function toLadderRow(t: TierRowValue): LadderRow {
  return {
    id: t.id,
    name: t.name,
    rank: t.rank,
    minRevenueCents: t.minRevenue,
    minWonDeals: t.minWonDeals,
    minWinRateBp: t.minWinRate ?? null,
    thresholdRule: t.thresholdRule,
    benefits: t.benefits ?? "",
    remove: t.remove ?? false,
  };
}

const schema = z.object({
  // "save" of a new attribution model or ladder answers with the preview and asks for a reason;
  // "confirm-save" is that second step.
  intent: z.enum(["preview", "save", "confirm-save"]),
  reason: z.string().trim().max(500, "Shorten the reason to 500 characters or fewer.").optional(),
  programName: z
    .string({ required_error: "Enter the program's name." })
    .trim()
    .max(100, "Keep the name to 100 characters."),
  attributionModel: z.enum(ATTRIBUTION_MODELS, { required_error: "Choose the attribution model." }),
  protectionDays: z
    .number({ required_error: "Enter the protection days.", invalid_type_error: "Enter a whole number of days." })
    .int("Enter a whole number of days.")
    .min(1, "Protection lasts at least 1 day.")
    .max(365, "Protection lasts at most 365 days."),
  paperSize: z.enum(PAPER_SIZES, { required_error: "Choose the paper size of the report PDFs." }),
  mailDomain: z
    .string()
    .trim()
    .optional()
    .superRefine((v, ctx) => {
      const problem = v ? mailDomainProblem(v) : null;
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
  tiers: z.array(tierRow).min(1, "The program needs at least one tier."),
});

/**
 * In the browser, the ladder rules too, next to the row they concern (removed rows do not
 * count). The server checks them with ladderProblems, together with what only it knows: which
 * tiers are still in use.
 */
const clientSchema = schema.superRefine((v, ctx) => {
  const kept = v.tiers.map((t, index) => ({ t, index })).filter(({ t }) => !t.remove);
  if (kept.length === 0)
    ctx.addIssue({ code: "custom", path: ["tiers"], message: "The program needs at least one tier." });
  const rules = kept.map(({ t }, i) => ({ ...toLadderRow(t), id: t.id ?? -1 - i }));
  for (const p of validateLadder(rules)) {
    ctx.addIssue({ code: "custom", path: ["tiers", kept[p.index].index], message: p.message });
  }
});

function unitsOf(cents: number) {
  const frac = cents % 100;
  return `${Math.floor(cents / 100)}${frac ? `.${String(frac).padStart(2, "0")}` : ""}`;
}

function percentOf(bp: number | null) {
  if (bp === null) return "";
  const frac = bp % 100;
  return `${Math.floor(bp / 100)}${frac ? `.${String(frac).padStart(2, "0").replace(/0$/, "")}` : ""}`;
}

/**
 * The settings typed before the session ended, shaped as the form's values (tiers as a list),
 * or null. Not the two-factor switch: that one is a single click.
 */
function keptSettings(args: LoaderFunctionArgs, userId: string) {
  const kept = keptEntries(args, userId);
  if (!kept || kept.intent === "staff-two-factor") return null;
  const formData = new FormData();
  for (const [name, value] of Object.entries(kept)) formData.append(name, value);
  return parseWithZod(formData, { schema }).payload;
}

export async function loader(args: LoaderFunctionArgs) {
  const user = requireAdmin(args);
  const { db } = args.context;
  const settings = getProgramSettings(db);
  const usage = ladderUsage(db);
  const ladder = loadLadder(db);
  return {
    settings: {
      programName: settings.programName,
      currency: settings.currency,
      attributionModel: settings.attributionModel,
      protectionDays: settings.protectionDays,
      paperSize: settings.paperSize,
      mailDomain: settings.mailDomain ?? "",
      defaultMailDomain: domainOfAddress(args.context.config.MAIL_FROM),
      updatedAt: settings.updatedAt?.toISOString() ?? null,
      requireStaffTwoFactor: isStaffTwoFactorRequired(db),
    },
    tiers: ladder.map((t) => ({
      id: t.id,
      name: t.name,
      rank: t.rank,
      minRevenue: unitsOf(t.minRevenueCents),
      minWonDeals: t.minWonDeals,
      minWinRate: percentOf(t.minWinRateBp),
      thresholdRule: t.thresholdRule,
      benefits: t.benefits,
      partners: usage.get(t.id)?.partners ?? 0,
      referenced: usage.get(t.id)?.referenced ?? false,
    })),
    // One per render: a double click or a retry of Save adds a new tier once.
    idempotencyToken: newIdempotencyToken(),
    kept: keptSettings(args, user.id),
  };
}

type ActionResult = {
  result: SubmissionResult<string[]>;
  preview: LadderPreview | null;
  saved: boolean;
  /** A change of model or ladder waiting for its second step (the preview above it, a reason). */
  confirm?: { model: { from: string; to: string } | null; ladder: boolean };
  /** After a model change: how many partners were told. */
  notified?: { partners: number } | null;
};

export async function action(args: ActionFunctionArgs) {
  const user = requireAdmin(args);
  const { db } = args.context;
  const formData = await args.request.formData();
  // Its own small form: one switch, saved at once, separate from the ladder.
  if (formData.get("intent") === "staff-two-factor") {
    setStaffTwoFactorRequired(db, user, formData.get("required") === "on");
    return redirect("/internal/settings");
  }
  const submission = parseWithZod(formData, { schema });
  if (submission.status !== "success") {
    // A list intent (add or discard a row without JavaScript) is not an error.
    return data<ActionResult>(
      { result: submission.reply(), preview: null, saved: false },
      { status: submission.status === "error" ? 400 : 200 }
    );
  }
  const value = submission.value;
  let key;
  try {
    key = value.intent === "preview" ? null : idempotencyKeyOf(formData, user.id, "settings.save");
  } catch (error) {
    if (!(error instanceof IdempotencyError)) throw error;
    return data<ActionResult>({ result: submission.reply({ formErrors: [error.message] }), preview: null, saved: false }, { status: 400 });
  }
  // The same page saved twice (a double click, a retry): the first save stands, nothing is added again.
  const saved = () => data<ActionResult>({ result: submission.reply({ resetForm: true }), preview: null, saved: true, notified: null });
  if (replayOf(db, key)) return saved();
  const rows = value.tiers.map(toLadderRow);
  const byRow = (problems: { index: number; message: string }[]) => {
    const fieldErrors: Record<string, string[]> = {};
    for (const p of problems) (fieldErrors[`tiers[${p.index}]`] ??= []).push(p.message);
    return data<ActionResult>(
      { result: submission.reply({ fieldErrors }), preview: null, saved: false },
      { status: 400 }
    );
  };
  if (value.intent === "preview") {
    const problems = ladderProblems(db, rows);
    if (problems.length) return byRow(problems);
    const preview = previewProgramChange(db, { attributionModel: value.attributionModel, ladder: rows });
    return data<ActionResult>({ result: submission.reply(), preview, saved: false });
  }
  const change = wideReachingChange(db, { attributionModel: value.attributionModel, ladder: rows });
  const wide = change.model !== null || change.ladder;
  if (wide && (value.intent !== "confirm-save" || !value.reason)) {
    const problems = ladderProblems(db, rows);
    if (problems.length) return byRow(problems);
    const preview = previewProgramChange(db, { attributionModel: value.attributionModel, ladder: rows });
    const confirm = {
      model: change.model ? { from: MODEL_LABEL[change.model.from], to: MODEL_LABEL[change.model.to] } : null,
      ladder: change.ladder,
    };
    const missingReason = value.intent === "confirm-save";
    return data<ActionResult>(
      {
        result: submission.reply(
          missingReason ? { fieldErrors: { reason: ["Write why you make this change: it is recorded in the audit log."] } } : undefined
        ),
        preview,
        saved: false,
        confirm,
      },
      { status: missingReason ? 400 : 200 }
    );
  }
  let notified: { partners: number } | null = null;
  try {
    const outcome = saveProgramSettings(
      db,
      actorOf(user),
      {
        programName: value.programName,
        attributionModel: value.attributionModel,
        protectionDays: value.protectionDays,
        paperSize: value.paperSize,
        mailDomain: value.mailDomain ?? "",
        ladder: rows,
        reason: wide ? value.reason ?? null : null,
      },
      new Date(),
      key,
      // A model change queues the partners' notice in the same transaction as the change.
      { config: args.context.config }
    );
    if (outcome.replayed) return saved();
    notified = outcome.notified;
  } catch (error) {
    if (error instanceof SettingsError) return byRow(error.problems);
    throw error;
  }
  // After the commit: the drain sends the partners' notices (their figures are credited another way).
  if (notified?.partners) await deliverQueued(args.context);
  return data<ActionResult>(
    { result: submission.reply({ resetForm: true }), preview: null, saved: true, notified },
    // The kept entries are saved now: the browser need not keep them any longer.
    { headers: keptEntriesDone(args) }
  );
}

export default function Settings() {
  const loaderData = useLoaderData<typeof loader>();
  // A new form after each save, so it starts from what was saved.
  return <SettingsForm key={loaderData.settings.updatedAt ?? "new"} {...loaderData} />;
}

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;

function SettingsForm({ settings, tiers, idempotencyToken, kept }: LoaderData) {
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const busy = navigation.state !== "idle" ? String(navigation.formData?.get("intent") ?? "") : null;
  const current = {
    programName: settings.programName,
    attributionModel: settings.attributionModel,
    protectionDays: String(settings.protectionDays),
    paperSize: settings.paperSize,
    mailDomain: settings.mailDomain,
    tiers: tiers.map((t) => ({
      id: String(t.id),
      name: t.name,
      rank: String(t.rank),
      minRevenue: t.minRevenue,
      minWonDeals: String(t.minWonDeals),
      minWinRate: t.minWinRate,
      thresholdRule: t.thresholdRule,
      benefits: t.benefits,
    })),
  };
  const [form, fields] = useForm<z.output<typeof schema>>({
    id: "settings",
    lastResult: actionData?.result,
    constraint: getZodConstraint(schema),
    // What was typed before the session ended, as typed; otherwise what is saved.
    defaultValue: (kept as typeof current | null) ?? current,
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: clientSchema }),
  });
  const usage = new Map(tiers.map((t) => [String(t.id), t]));
  const rows = fields.tiers.getFieldList();
  const nextRank = Math.max(-1, ...tiers.map((t) => t.rank)) + 1;

  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Program settings</h1>
          <p className="muted" style={{ margin: 0 }}>
            {settings.updatedAt
              ? `Last saved ${formatDate(settings.updatedAt)}.`
              : "Not changed since the program was set up."}{" "}
            Changes apply from the next evaluation on; nobody's tier changes until a review is decided.
          </p>
          <p className="small" style={{ margin: "0.5rem 0 0" }}>
            Reporting currency {settings.currency}: <Link to="/internal/settings/exchange-rates">exchange rates</Link> for
            deals in other currencies.
          </p>
          <p className="small" style={{ margin: "0.5rem 0 0" }}>
            <Link to="/internal/settings/api">API keys and webhooks</Link> for your CRM.
          </p>
        </div>
      </div>

      {actionData?.saved ? (
        <p className="notice" role="status">
          Settings saved.
          {actionData.notified
            ? ` The attribution model changed: ${actionData.notified.partners} ${
                actionData.notified.partners === 1 ? "partner is" : "partners are"
              } emailed the notice (Outbox shows each one).`
            : ""}
        </p>
      ) : null}

      {kept ? (
        <p className="info" role="status">
          Your entries from before your session ended are filled in below. Check them and save.
        </p>
      ) : null}
      <Form method="post" {...getFormProps(form)} className="stack" aria-label="Program settings">
        <FormErrors errors={form.errors} id={form.errorId} />
        <input type="hidden" name={IDEMPOTENCY_FIELD} value={idempotencyToken} />
        <section className="card stack" aria-labelledby="program-heading">
          <h2 id="program-heading" style={{ margin: 0 }}>
            Program
          </h2>
          <div className="grid" style={{ alignItems: "start" }}>
            <Field meta={fields.programName} label="Program name" />
            <SelectField
              meta={fields.attributionModel}
              label="Attribution model"
              options={ATTRIBUTION_MODELS.map((m) => ({ value: m, label: MODEL_LABEL[m] }))}
            />
            <Field
              meta={fields.protectionDays}
              label="Protection days"
              type="number"
              min="1"
              hint="1–365. Applies to registrations approved from now on."
            />
            <SelectField
              meta={fields.paperSize}
              label="Report paper size"
              options={[{ value: "A4", label: "A4 (210 × 297 mm)" }, { value: "Letter", label: "US Letter (8.5 × 11 in)" }]}
            />
            <Field
              meta={fields.mailDomain}
              label="Mail domain"
              placeholder={settings.defaultMailDomain}
              hint={`The domain of every email's Message-ID (<kind.identity@domain>), so a resend after a crash carries the same id. Empty: ${settings.defaultMailDomain} (from MAIL_FROM).`}
            />
          </div>
          <details>
            <summary className="small">How each attribution model credits partners</summary>
            <dl className="small" style={{ margin: "0.5rem 0 0" }}>
              {ATTRIBUTION_MODELS.map((m) => (
                <div key={m}>
                  <dt style={{ fontWeight: 600 }}>{MODEL_LABEL[m]}</dt>
                  <dd style={{ margin: "0 0 0.35rem" }}>{MODEL_DESCRIPTION[m]}</dd>
                </div>
              ))}
            </dl>
          </details>
        </section>

        <section className="card stack" aria-labelledby="ladder-heading">
          <div>
            <h2 id="ladder-heading" style={{ margin: 0 }}>
              Tier ladder
            </h2>
            <p className="muted small" style={{ margin: 0 }}>
              Thresholds are over the trailing 12 months; new partners start on the lowest rank. A higher rank must not
              need less than a lower one. Amounts are in {settings.currency}.
            </p>
          </div>
          <FieldError meta={fields.tiers} />
          {rows.map((row, index) => {
            const t = row.getFieldset();
            const existing = t.id.initialValue ? usage.get(t.id.initialValue) : undefined;
            const legend = `Tier ${index + 1}${t.name.value ? `: ${t.name.value}` : ""}`;
            return (
              <fieldset
                key={row.key}
                className="stack"
                style={{
                  border: "1px solid var(--border)",
                  borderRadius: 8,
                  padding: "1rem",
                  gap: "0.75rem",
                  margin: 0,
                }}
                aria-describedby={row.errors ? row.errorId : undefined}
                aria-invalid={row.errors ? true : undefined}
              >
                <legend style={{ fontWeight: 600, padding: "0 0.25rem" }}>{legend}</legend>
                {row.errors ? (
                  <div className="form-error" role="alert" id={row.errorId}>
                    {row.errors.join(" ")}
                  </div>
                ) : null}
                <input {...getInputProps(t.id, { type: "hidden" })} key={t.id.key} />
                <div className="grid" style={{ alignItems: "start" }}>
                  <Field meta={t.name} label="Name" />
                  <Field meta={t.rank} label="Rank" type="number" min="0" />
                  <Field
                    meta={t.minRevenue}
                    label={`Min revenue (${settings.currency})`}
                    hint="e.g. 50000 or 50000.50"
                  />
                  <Field meta={t.minWonDeals} label="Min won deals" type="number" min="0" />
                  <Field meta={t.minWinRate} label="Min win rate % (optional)" hint="Empty = no win-rate threshold" />
                  <SelectField
                    meta={t.thresholdRule}
                    label="Thresholds needed"
                    options={[
                      { value: "all", label: "All of them" },
                      { value: "any", label: "Any one of them" },
                    ]}
                  />
                </div>
                <TextareaField meta={t.benefits} label="Benefits" />
                <div className="row">
                  {existing ? (
                    <>
                      <label className="row small" style={{ gap: "0.4rem" }}>
                        <input {...getInputProps(t.remove, { type: "checkbox" })} key={t.remove.key} />
                        Remove this tier
                      </label>
                      <span className="muted small">
                        {existing.partners
                          ? `${existing.partners} partner${
                              existing.partners === 1 ? " is" : "s are"
                            } on this tier: it cannot be removed.`
                          : existing.referenced
                          ? "Past evaluations or reviews refer to this tier: it cannot be removed."
                          : "No partner is on this tier."}
                      </span>
                    </>
                  ) : (
                    <button {...form.remove.getButtonProps({ name: fields.tiers.name, index })} className="secondary">
                      Discard this new tier
                    </button>
                  )}
                </div>
              </fieldset>
            );
          })}
          <div>
            <button
              {...form.insert.getButtonProps({
                name: fields.tiers.name,
                defaultValue: {
                  name: "",
                  rank: String(nextRank + rows.length - tiers.length),
                  minRevenue: "0",
                  minWonDeals: "0",
                  minWinRate: "",
                  thresholdRule: "all",
                  benefits: "",
                },
              })}
              className="secondary"
            >
              Add a tier
            </button>
          </div>
        </section>

        {actionData?.confirm ? (
          <section
            className="card stack"
            role="alertdialog"
            aria-labelledby="confirm-settings-heading"
            aria-describedby="confirm-settings-text"
          >
            <h2 id="confirm-settings-heading" style={{ margin: 0 }}>
              Confirm the change
            </h2>
            <p id="confirm-settings-text" style={{ margin: 0 }}>
              {actionData.confirm.model
                ? `The attribution model changes from ${actionData.confirm.model.from} to ${actionData.confirm.model.to}: every partner's credited revenue, tier progress and reports are computed under it at once, and each active partner's admins and report recipients are emailed.`
                : null}{" "}
              {actionData.confirm.ladder
                ? "The tier ladder changes: the next evaluation judges every partner against it."
                : null}{" "}
              The preview below shows who moves. Nothing is saved until you confirm.
            </p>
            <TextareaField meta={fields.reason} label="Reason" hint="Required. Recorded in the audit log." />
            <div>
              <button type="submit" name="intent" value="confirm-save" className="danger" disabled={busy !== null}>
                {busy === "confirm-save" ? "Saving…" : "Confirm and save"}
              </button>
            </div>
          </section>
        ) : null}
        <div className="row">
          <button type="submit" name="intent" value="preview" className="secondary" disabled={busy !== null}>
            {busy === "preview" ? "Computing…" : "Preview"}
          </button>
          <button type="submit" name="intent" value="save" disabled={busy !== null}>
            {busy === "save" ? "Saving…" : "Save settings"}
          </button>
          <span className="muted small">Preview shows the effect on today's partners and saves nothing.</span>
        </div>
      </Form>

      {actionData?.preview ? <PreviewPanel preview={actionData.preview} currency={settings.currency} /> : null}

      <StaffTwoFactorSetting required={settings.requireStaffTwoFactor} />
    </div>
  );
}

function StaffTwoFactorSetting({ required }: { required: boolean }) {
  return (
    <section className="card stack" aria-labelledby="staff-two-factor-heading">
      <h2 id="staff-two-factor-heading" style={{ margin: 0 }}>
        Two-factor sign-in for staff
      </h2>
      <Form method="post" className="stack" style={{ gap: "0.75rem" }}>
        <label className="row" style={{ gap: "0.5rem" }}>
          <input type="checkbox" name="required" defaultChecked={required} />
          Require two-factor sign-in for program staff
        </label>
        <p className="muted small" style={{ margin: 0 }}>
          Staff who have not set it up are asked to at their next sign-in, before they can use the partner team
          pages, and cannot turn it off.
        </p>
        <div>
          <button type="submit" name="intent" value="staff-two-factor" className="secondary">
            Save two-factor setting
          </button>
        </div>
      </Form>
    </section>
  );
}

function PreviewPanel({ preview: p, currency }: { preview: LadderPreview; currency: string }) {
  return (
    <section className="card" aria-labelledby="preview-heading" role="status">
      <h2 id="preview-heading">Preview: nothing was saved</h2>
      <p className="muted small">
        {MODEL_LABEL[p.model]} attribution, trailing 12 months to {formatDate(p.asOf)}, {p.activePartners} active
        partners, against the ladder above.
      </p>
      <div className="grid" style={{ alignItems: "start" }}>
        <div className="kpi">
          <span className="label">Would qualify higher</span>
          <span className="value">{p.higher}</span>
        </div>
        <div className="kpi">
          <span className="label">Same tier</span>
          <span className="value">{p.same}</span>
        </div>
        <div className="kpi">
          <span className="label">Would qualify lower</span>
          <span className="value">{p.lower}</span>
        </div>
      </div>
      <div className="table-wrap" style={{ marginTop: "1rem" }}>
        <table>
          <caption className="visually-hidden">By current tier</caption>
          <thead>
            <tr>
              <th scope="col">Current tier</th>
              <th scope="col" className="num">
                Partners
              </th>
              <th scope="col" className="num">
                Higher
              </th>
              <th scope="col" className="num">
                Same
              </th>
              <th scope="col" className="num">
                Lower
              </th>
            </tr>
          </thead>
          <tbody>
            {p.byTier.map((b) => (
              <tr key={b.tier}>
                <th scope="row" style={{ textTransform: "none", fontSize: "inherit", letterSpacing: "normal" }}>
                  {b.tier}
                </th>
                <td className="num">{b.partners}</td>
                <td className="num">{b.higher}</td>
                <td className="num">{b.same}</td>
                <td className="num">{b.lower}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p style={{ marginTop: "1rem" }}>
        Credited revenue of the active partners over the 12 months:{" "}
        {formatMoney(p.creditedRevenue.currentCents, currency)} under {MODEL_LABEL[p.currentModel]} today,{" "}
        {formatMoney(p.creditedRevenue.proposedCents, currency)} under {MODEL_LABEL[p.model]} (
        {p.creditedRevenue.proposedCents >= p.creditedRevenue.currentCents ? "+" : "−"}
        {formatMoney(Math.abs(p.creditedRevenue.proposedCents - p.creditedRevenue.currentCents), currency)}).
      </p>
      <h3>
        {p.movers.length === 0
          ? "No partner would qualify for another tier than under today's settings."
          : `${p.movers.length} partner${p.movers.length === 1 ? "" : "s"} would qualify for another tier than under today's settings`}
      </h3>
      {p.movers.length ? (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Partners who move</caption>
            <thead>
              <tr>
                <th scope="col">Partner</th>
                <th scope="col">Qualifies today</th>
                <th scope="col">Would qualify</th>
                <th scope="col" className="num">
                  Credited revenue change
                </th>
              </tr>
            </thead>
            <tbody>
              {p.movers.map((m) => (
                <tr key={m.partnerName}>
                  <td>{m.partnerName}</td>
                  <td>{m.from}</td>
                  <td>
                    {m.to} ({m.direction})
                  </td>
                  <td className="num">
                    {formatMoney(m.currentCents, currency)} → {formatMoney(m.proposedCents, currency)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
