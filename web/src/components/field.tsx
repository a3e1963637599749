/** A labelled input with the API's message for it beneath, tied to it for screen readers. */
import { cloneElement, useId, type ReactElement } from 'react';

export interface FieldProps {
  readonly label: string;
  /** The input's name, as the API names the field; its error is `errors[name]`. */
  readonly name: string;
  readonly errors?: Record<string, string>;
  readonly hint?: string;
  readonly children: ReactElement<Record<string, unknown>>;
}

export function Field({ label, name, errors, hint, children }: FieldProps) {
  const id = useId();
  const error = errors?.[name];
  const describedBy = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {cloneElement(children, { id, name, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy })}
      {hint && (
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      )}
      {error && (
        <small id={`${id}-error`} className="field-error" role="alert" data-field-error={name}>
          {error}
        </small>
      )}
    </div>
  );
}

/** A form-wide message (an error without a field). */
export function FormError({ errors }: { readonly errors: Record<string, string> }) {
  const general = errors[''];
  return general ? (
    <p className="form-error" role="alert">
      {general}
    </p>
  ) : null;
}
