// Recording a growth play on a long-tail partner from the ecosystem page: the one schema the
// action validates with and the form validates with in the browser, and the form itself. The page
// renders one of these at a time, on the row whose "Record growth play" link was followed
// (?play=<partner id>): fifty conform forms cost ~30 ms of server render per view and ~84 KB.
import { getFormProps, getInputProps, getSelectProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod";
import { Form, Link, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { GROWTH_PLAY_STATUSES } from "../../../db/schema";
import { FormErrors, humanize } from "../../components/forms";
import { IDEMPOTENCY_FIELD } from "../../domain/idempotency";
import { FLAG_LABEL, GROWTH_PLAY_FLAGS } from "../../domain/long-tail";

export const playSchema = z.object({
  intent: z.literal("play"),
  partnerId: z.coerce.number().int().positive(),
  flag: z.enum(GROWTH_PLAY_FLAGS, { errorMap: () => ({ message: "Choose what the play is about." }) }),
  ownerId: z.string({ required_error: "Choose an owner." }).min(1, "Choose an owner."),
  nextAction: z
    .string({ required_error: "Say what happens next." })
    .trim()
    .min(3, "Say what happens next, in a few words.")
    .max(500, "Keep the next action under 500 characters."),
  status: z.enum(GROWTH_PLAY_STATUSES, { errorMap: () => ({ message: "Choose a status." }) }),
});

export function GrowthPlayForm({
  partnerId,
  partnerName,
  defaultFlag,
  staff,
  lastResult,
  closeTo,
}: {
  partnerId: number;
  partnerName: string;
  defaultFlag: string;
  staff: { id: string; name: string }[];
  lastResult: SubmissionResult<string[]> | undefined;
  /** Where "Close" leads: the same list without this form open. */
  closeTo: string;
}) {
  const navigation = useNavigation();
  // The page's per-render token (idempotency.server.ts); each partner's form is its own key.
  const { idempotencyToken } = useLoaderData<{ idempotencyToken: string }>();
  const busy = navigation.state === "submitting" && navigation.formData?.get("partnerId") === String(partnerId);
  const [form, fields] = useForm<z.input<typeof playSchema>>({
    id: `play-${partnerId}`,
    lastResult,
    defaultValue: { flag: defaultFlag, status: "open", ownerId: "" },
    shouldValidate: "onSubmit",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: playSchema }),
  });
  return (
    <Form
      method="post"
      className="form"
      style={{ gap: "0.5rem", minWidth: 220 }}
      {...getFormProps(form)}
      aria-label={`Growth play for ${partnerName}`}
    >
      <FormErrors errors={form.errors} id={form.errorId} />
      <input type="hidden" name="intent" value="play" />
      <input type="hidden" name="partnerId" value={partnerId} />
      <input type="hidden" name={IDEMPOTENCY_FIELD} value={idempotencyToken} />
      <div className="field">
        <label htmlFor={fields.flag.id}>About</label>
        {/* Opened by its link: the keyboard lands in the form, not back at the top of the page. */}
        <select {...getSelectProps(fields.flag)} key={fields.flag.key} autoFocus={!lastResult}>
          {GROWTH_PLAY_FLAGS.map((f) => (
            <option key={f} value={f}>
              {f === "other" ? "Other" : FLAG_LABEL[f]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={fields.ownerId.id}>Owner</label>
        <select {...getSelectProps(fields.ownerId)} key={fields.ownerId.key}>
          <option value="">Choose…</option>
          {staff.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
        {fields.ownerId.errors ? (
          <span className="error" id={fields.ownerId.errorId} role="alert">
            {fields.ownerId.errors.join(" ")}
          </span>
        ) : null}
      </div>
      <div className="field">
        <label htmlFor={fields.nextAction.id}>Next action</label>
        <input {...getInputProps(fields.nextAction, { type: "text" })} key={fields.nextAction.key} />
        {fields.nextAction.errors ? (
          <span className="error" id={fields.nextAction.errorId} role="alert">
            {fields.nextAction.errors.join(" ")}
          </span>
        ) : null}
      </div>
      <div className="field">
        <label htmlFor={fields.status.id}>Status</label>
        <select {...getSelectProps(fields.status)} key={fields.status.key}>
          {GROWTH_PLAY_STATUSES.map((s) => (
            <option key={s} value={s}>
              {humanize(s)}
            </option>
          ))}
        </select>
      </div>
      <div className="row">
        <button type="submit" className="secondary" disabled={busy}>
          {busy ? "Saving…" : "Save play"}
        </button>
        <Link to={closeTo} preventScrollReset className="small">
          Close
        </Link>
      </div>
    </Form>
  );
}
