// Form building blocks over conform: every input has a label, its error is announced and
// linked with aria-describedby, and the value the user typed is kept after a failed submit.
// Also the card that the signed-out pages (invite, reset, apply) are laid out in.
import { getInputProps, getSelectProps, getTextareaProps, type FieldMetadata } from "@conform-to/react";
import type { ReactNode } from "react";
import { PASSWORD_HINT } from "../auth/password-policy";

type InputType = "text" | "email" | "password" | "number" | "date" | "url" | "search" | "month";

export function Field({
  meta,
  label,
  type = "text",
  hint,
  autoComplete,
  ...rest
}: {
  meta: FieldMetadata<any, any, string[]>;
  label: string;
  type?: InputType;
  hint?: string;
  autoComplete?: string;
  placeholder?: string;
  step?: string;
  min?: string;
}) {
  const hintId = hint ? `${meta.id}-hint` : undefined;
  return (
    <div className="field">
      <label htmlFor={meta.id}>{label}</label>
      <input
        {...getInputProps(meta, { type, ariaDescribedBy: hintId })}
        autoComplete={autoComplete}
        {...rest}
        key={meta.key}
      />
      {hint ? (
        <span className="hint" id={hintId}>
          {hint}
        </span>
      ) : null}
      <FieldError meta={meta} />
    </div>
  );
}

export function TextareaField({
  meta,
  label,
  hint,
}: {
  meta: FieldMetadata<any, any, string[]>;
  label: string;
  hint?: string;
}) {
  const hintId = hint ? `${meta.id}-hint` : undefined;
  return (
    <div className="field">
      <label htmlFor={meta.id}>{label}</label>
      <textarea {...getTextareaProps(meta, { ariaDescribedBy: hintId })} key={meta.key} />
      {hint ? (
        <span className="hint" id={hintId}>
          {hint}
        </span>
      ) : null}
      <FieldError meta={meta} />
    </div>
  );
}

export function SelectField({
  meta,
  label,
  options,
  placeholder,
}: {
  meta: FieldMetadata<any, any, string[]>;
  label: string;
  options: readonly (string | { value: string; label: string })[];
  placeholder?: string;
}) {
  return (
    <div className="field">
      <label htmlFor={meta.id}>{label}</label>
      <select {...getSelectProps(meta)} key={meta.key}>
        {placeholder ? <option value="">{placeholder}</option> : null}
        {options.map((o) => {
          const { value, label: text } = typeof o === "string" ? { value: o, label: humanize(o) } : o;
          return (
            <option key={value} value={value}>
              {text}
            </option>
          );
        })}
      </select>
      <FieldError meta={meta} />
    </div>
  );
}

/**
 * Choosing a password: the password with the policy's hint (app/auth/password-policy.ts) and
 * its confirmation, as invite, reset and account ask for it.
 */
export function NewPasswordFields({
  password,
  confirm,
  label,
  confirmLabel,
}: {
  password: FieldMetadata<any, any, string[]>;
  confirm: FieldMetadata<any, any, string[]>;
  label: string;
  confirmLabel: string;
}) {
  return (
    <>
      <Field
        meta={password}
        label={label}
        type="password"
        autoComplete="new-password"
        hint={PASSWORD_HINT}
      />
      <Field meta={confirm} label={confirmLabel} type="password" autoComplete="new-password" />
    </>
  );
}

export function FieldError({ meta }: { meta: FieldMetadata<any, any, string[]> }) {
  if (!meta.errors?.length) return null;
  return (
    <span className="error" id={meta.errorId} role="alert">
      {meta.errors.join(" ")}
    </span>
  );
}

export function FormErrors({ errors, id }: { errors?: string[]; id?: string }): ReactNode {
  if (!errors?.length) return null;
  return (
    <div className="form-error" role="alert" id={id}>
      {errors.join(" ")}
    </div>
  );
}

export function humanize(value: string) {
  const s = value.replace(/_/g, " ");
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The centred card of a page used signed out (an invitation, a reset link, applying). */
export function AuthCard({ children }: { children: ReactNode }) {
  return (
    <div className="auth">
      <main className="card" id="main">
        {children}
      </main>
    </div>
  );
}
