/**
 * Form pieces shared by "Generate a report now" and the schedule form: report type, period and
 * formats, plus how an API 400 (`error.field`) is shown next to the field it names.
 */
import type { ReactNode } from 'react';
import { ApiRequestError } from '../api-client';
import type { ReportFormat, ReportPeriod, ReportType } from '../reports-client';

export const TYPE_LABELS: Record<ReportType, string> = {
  impact: 'Impact',
  quality: 'Quality',
};

const TYPE_HINTS: Record<ReportType, string> = {
  impact: 'time saved, top uses, adoption by team (for admins)',
  quality: 'failure hot spots, failure reasons, what improved (for product teams)',
};

export const FORMAT_LABELS: Record<ReportFormat, string> = {
  html: 'HTML',
  pdf: 'PDF',
  csv: 'CSV tables',
};
const FORMATS = Object.keys(FORMAT_LABELS) as ReportFormat[];

export const when = (iso: string | null | undefined): string =>
  iso ? new Date(iso).toLocaleString('en', { dateStyle: 'medium', timeStyle: 'short' }) : '—';

export function describePeriod(period: ReportPeriod): string {
  if (period.kind === 'last-week') return 'Last complete week';
  if (period.kind === 'last-month') return 'Last complete month';
  return `Last ${period.weeks} complete ${period.weeks === 1 ? 'week' : 'weeks'}`;
}

/** The period as edited: `weeks` stays text until sent, so the API can say what is wrong. */
export interface PeriodDraft {
  kind: ReportPeriod['kind'];
  weeks: string;
}

export const periodOf = (draft: PeriodDraft): ReportPeriod =>
  draft.kind === 'custom' ? { kind: 'custom', weeks: Number(draft.weeks) } : { kind: draft.kind };

/** Field errors by form field (the first segment of the API's `error.field`). */
export type FieldErrors = Record<string, string>;

/**
 * Splits an API error into a message for one field or for the whole form. The API writes
 * `field: message`; the field is shown by position, so the prefix is dropped.
 */
export function fieldErrorsOf(error: Error, known: readonly string[]): FieldErrors {
  if (!(error instanceof ApiRequestError) || !error.field) return { form: error.message };
  const [head, index] = error.field.split('.');
  const text = error.message.startsWith(`${error.field}: `)
    ? error.message.slice(error.field.length + 2)
    : error.message;
  if (!head || !known.includes(head)) return { form: error.message };
  const message =
    head === 'recipients' && index !== undefined && /^\d+$/.test(index)
      ? `Address ${Number(index) + 1}: ${text}`
      : text;
  return { [head]: message.charAt(0).toUpperCase() + message.slice(1) };
}

/** Label, control, optional hint and the field's error, wired for screen readers. */
export function Field({
  id,
  label,
  hint,
  error,
  children,
}: {
  id: string;
  label: string;
  hint?: ReactNode;
  error?: string;
  children: (described: { 'aria-describedby'?: string; 'aria-invalid'?: boolean }) => ReactNode;
}) {
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({
        ...(describedBy ? { 'aria-describedby': describedBy } : {}),
        ...(error ? { 'aria-invalid': true } : {}),
      })}
      {hint && (
        <p id={`${id}-hint`} className="muted small hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="error small field-error" data-testid={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

/** A group of radios/checkboxes with a legend and the group's error. */
function Group({
  id,
  legend,
  error,
  children,
}: {
  id: string;
  legend: string;
  error?: string;
  children: ReactNode;
}) {
  return (
    <fieldset
      className="choices"
      aria-describedby={error ? `${id}-error` : undefined}
      aria-invalid={error ? true : undefined}
    >
      <legend>{legend}</legend>
      {children}
      {error && (
        <p id={`${id}-error`} className="error small field-error" data-testid={`${id}-error`}>
          {error}
        </p>
      )}
    </fieldset>
  );
}

export function TypeChoice({
  id,
  value,
  onChange,
  error,
}: {
  id: string;
  value: ReportType;
  onChange: (type: ReportType) => void;
  error?: string;
}) {
  return (
    <Group id={id} legend="Report" error={error}>
      {(Object.keys(TYPE_LABELS) as ReportType[]).map((type) => (
        <label key={type} className="choice">
          <input
            type="radio"
            name={id}
            value={type}
            checked={value === type}
            onChange={() => onChange(type)}
          />
          <span>
            {TYPE_LABELS[type]} <span className="muted small">({TYPE_HINTS[type]})</span>
          </span>
        </label>
      ))}
    </Group>
  );
}

export function PeriodChoice({
  id,
  value,
  onChange,
  error,
}: {
  id: string;
  value: PeriodDraft;
  onChange: (period: PeriodDraft) => void;
  error?: string;
}) {
  return (
    <Field
      id={id}
      label="Period"
      error={error}
      hint="Whole weeks (Monday to Sunday) that have ended, as published; a month is the weeks that end in it."
    >
      {(described) => (
        <div className="row inline-fields">
          <select
            id={id}
            value={value.kind}
            onChange={(event) =>
              onChange({ ...value, kind: event.target.value as PeriodDraft['kind'] })
            }
            {...described}
          >
            <option value="last-week">Last week</option>
            <option value="last-month">Last month</option>
            <option value="custom">Last N weeks</option>
          </select>
          {value.kind === 'custom' && (
            <>
              <label htmlFor={`${id}-weeks`} className="sr-only">
                Number of weeks
              </label>
              <input
                id={`${id}-weeks`}
                type="number"
                min={1}
                max={26}
                className="narrow"
                value={value.weeks}
                onChange={(event) => onChange({ ...value, weeks: event.target.value })}
                {...described}
              />
              <span className="muted">weeks (1–26)</span>
            </>
          )}
        </div>
      )}
    </Field>
  );
}

export function FormatChoice({
  id,
  value,
  onChange,
  error,
}: {
  id: string;
  value: ReportFormat[];
  onChange: (formats: ReportFormat[]) => void;
  error?: string;
}) {
  return (
    <Group id={id} legend="Formats" error={error}>
      {FORMATS.map((format) => (
        <label key={format} className="choice">
          <input
            type="checkbox"
            name={id}
            value={format}
            checked={value.includes(format)}
            onChange={(event) =>
              onChange(
                event.target.checked
                  ? FORMATS.filter((f) => f === format || value.includes(f))
                  : value.filter((f) => f !== format),
              )
            }
          />
          <span>{FORMAT_LABELS[format]}</span>
        </label>
      ))}
    </Group>
  );
}

/** A form's submit button and its outcome: a confirmation, or the error no field owns. */
export function FormFooter(props: {
  busy: boolean;
  busyLabel: string;
  label: string;
  done: string | null | undefined;
  doneTestId: string;
  error: string | undefined;
}) {
  return (
    <>
      <div className="row actions">
        <button type="submit" disabled={props.busy}>
          {props.busy ? props.busyLabel : props.label}
        </button>
        <span className="spacer" />
      </div>
      <div aria-live="polite">
        {props.done && (
          <p className="ok small" data-testid={props.doneTestId}>
            {props.done}
          </p>
        )}
        {props.error && (
          <p role="alert" className="error small">
            {props.error}
          </p>
        )}
      </div>
    </>
  );
}
