/**
 * Report schedules (admin only): list, create, switch on/off, delete. Validation is the API's:
 * a 400 names the field (`error.field`) and its message is shown next to that field. A webhook
 * signing secret is returned once on creation and shown here once.
 */
import { useEffect, useState, type FormEvent } from 'react';
import {
  reportsApi,
  type CreatedSchedule,
  type ReportFormat,
  type ReportScheduleView,
  type ReportType,
} from '../reports-client';
import { ErrorMessage, Section } from '../ui';
import {
  describePeriod,
  Field,
  fieldErrorsOf,
  FORMAT_LABELS,
  FormatChoice,
  FormFooter,
  periodOf,
  PeriodChoice,
  TYPE_LABELS,
  TypeChoice,
  when,
  type FieldErrors,
  type PeriodDraft,
} from './report-fields';

const FIELDS = [
  'name',
  'type',
  'cron',
  'timezone',
  'period',
  'formats',
  'recipients',
  'webhook_url',
  'enabled',
] as const;

const browserTimeZone = (): string => {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
};

export function ReportSchedules({ csrf }: { csrf: string }) {
  const [schedules, setSchedules] = useState<ReportScheduleView[]>();
  const [loadError, setLoadError] = useState<Error>();
  const [secret, setSecret] = useState<{ name: string; secret: string }>();

  useEffect(() => {
    let current = true;
    reportsApi.schedules(csrf).then(
      (data) => current && setSchedules(data.schedules),
      (error: Error) => current && setLoadError(error),
    );
    return () => {
      current = false;
    };
  }, [csrf]);

  const replace = (schedule: ReportScheduleView) =>
    setSchedules((list) => list?.map((s) => (s.id === schedule.id ? schedule : s)));

  return (
    <>
      <Section
        title="Schedules"
        note="Each schedule produces exactly one report per run time, even with several workers; runs missed while the service was down are produced when it comes back."
      >
        {loadError ? (
          <ErrorMessage error={loadError} />
        ) : !schedules ? (
          <p className="muted loading" aria-busy="true">
            Loading schedules…
          </p>
        ) : schedules.length === 0 ? (
          <p className="muted" role="status" data-testid="schedules-empty">
            No schedules yet. Add one below to get a report every week or month.
          </p>
        ) : (
          <ScheduleTable
            csrf={csrf}
            schedules={schedules}
            onChanged={replace}
            onDeleted={(id) => setSchedules((list) => list?.filter((s) => s.id !== id))}
          />
        )}
      </Section>
      {secret && (
        <WebhookSecret
          name={secret.name}
          secret={secret.secret}
          onDone={() => setSecret(undefined)}
        />
      )}
      <ScheduleForm
        csrf={csrf}
        onCreated={(created) => {
          const { webhook_secret: webhookSecret, ...schedule } = created;
          setSchedules((list) => [...(list ?? []), schedule]);
          setSecret(webhookSecret ? { name: schedule.name, secret: webhookSecret } : undefined);
        }}
      />
    </>
  );
}

function ScheduleTable({
  csrf,
  schedules,
  onChanged,
  onDeleted,
}: {
  csrf: string;
  schedules: ReportScheduleView[];
  onChanged: (schedule: ReportScheduleView) => void;
  onDeleted: (id: string) => void;
}) {
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<string>();

  async function toggle(schedule: ReportScheduleView) {
    setBusy(schedule.id);
    setError(undefined);
    try {
      const { webhook_secret: _secret, ...updated } = await reportsApi.updateSchedule(
        csrf,
        schedule.id,
        { enabled: !schedule.enabled },
      );
      onChanged(updated);
    } catch (failure) {
      setError(`"${schedule.name}" could not be changed: ${(failure as Error).message}`);
    } finally {
      setBusy(undefined);
    }
  }

  async function remove(schedule: ReportScheduleView) {
    if (
      !window.confirm(
        `Delete the schedule "${schedule.name}"? It stops producing reports; reports it already produced stay in the list.`,
      )
    )
      return;
    setBusy(schedule.id);
    setError(undefined);
    try {
      await reportsApi.deleteSchedule(csrf, schedule.id);
      onDeleted(schedule.id);
    } catch (failure) {
      setError(`"${schedule.name}" could not be deleted: ${(failure as Error).message}`);
    } finally {
      setBusy(undefined);
    }
  }

  return (
    <>
      {error && (
        <p role="alert" className="error small">
          {error}
        </p>
      )}
      <table className="table schedules" data-testid="schedule-list">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Runs</th>
            <th scope="col">Covers</th>
            <th scope="col">Sends to</th>
            <th scope="col">Enabled</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {schedules.map((schedule) => (
            <tr
              key={schedule.id}
              data-testid="schedule-row"
              data-schedule-id={schedule.id}
              className={schedule.enabled ? undefined : 'disabled'}
            >
              <td>
                <strong>{schedule.name}</strong>
                <div className="muted small">{TYPE_LABELS[schedule.type]} report</div>
              </td>
              <td>
                <code>{schedule.cron}</code>{' '}
                <span className="muted small">{schedule.timezone}</span>
                <div className="small" data-testid="schedule-next">
                  {schedule.enabled ? `Next: ${when(schedule.next_run_at)}` : 'Off: not running'}
                </div>
                {schedule.last_run_at && (
                  <div className="muted small">Last: {when(schedule.last_run_at)}</div>
                )}
              </td>
              <td>
                {describePeriod(schedule.period)}
                <div className="muted small">
                  {schedule.formats.map((format) => FORMAT_LABELS[format]).join(', ')}
                </div>
              </td>
              <td className="small">
                {schedule.recipients.length === 0 && !schedule.webhook_url && (
                  <span className="muted">nobody (download only)</span>
                )}
                {schedule.recipients.length > 0 && (
                  <div>
                    E-mail: <span className="target">{schedule.recipients.join(', ')}</span>
                  </div>
                )}
                {schedule.webhook_url && (
                  <div>
                    Webhook: <span className="target">{schedule.webhook_url}</span>
                  </div>
                )}
              </td>
              <td>
                <button
                  type="button"
                  role="switch"
                  aria-checked={schedule.enabled}
                  aria-label={`Enabled: ${schedule.name}`}
                  className="switch"
                  disabled={busy === schedule.id}
                  onClick={() => void toggle(schedule)}
                >
                  {schedule.enabled ? 'On' : 'Off'}
                </button>
              </td>
              <td>
                <button
                  type="button"
                  className="danger"
                  aria-label={`Delete ${schedule.name}`}
                  disabled={busy === schedule.id}
                  onClick={() => void remove(schedule)}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

interface Draft {
  name: string;
  type: ReportType;
  cron: string;
  timezone: string;
  period: PeriodDraft;
  formats: ReportFormat[];
  recipients: string;
  webhookUrl: string;
  enabled: boolean;
}

const emptyDraft = (): Draft => ({
  name: '',
  type: 'impact',
  cron: '0 8 * * 1',
  timezone: browserTimeZone(),
  period: { kind: 'last-week', weeks: '4' },
  formats: ['html', 'pdf'],
  recipients: '',
  webhookUrl: '',
  enabled: true,
});

/** Focuses the control of the first field with an error (keyboard and screen-reader users). */
function focusField(errors: FieldErrors) {
  const field = FIELDS.find((name) => errors[name]);
  if (!field) return;
  const id = `schedule-${field}`;
  const element =
    document.getElementById(id) ?? document.querySelector<HTMLElement>(`[name="${id}"]`);
  element?.focus();
}

function ScheduleForm({
  csrf,
  onCreated,
}: {
  csrf: string;
  onCreated: (schedule: CreatedSchedule) => void;
}) {
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<string>();
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) =>
    setDraft((current) => ({ ...current, [key]: value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    setCreated(undefined);
    const local: FieldErrors = {};
    if (!draft.name.trim()) local.name = 'Give the schedule a name.';
    if (!draft.cron.trim()) local.cron = 'Say when it runs, e.g. 0 8 * * 1 for Mondays at 08:00.';
    if (draft.formats.length === 0) local.formats = 'Choose at least one format.';
    if (Object.keys(local).length > 0) {
      setErrors(local);
      focusField(local);
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      const schedule = await reportsApi.createSchedule(csrf, {
        name: draft.name.trim(),
        type: draft.type,
        cron: draft.cron.trim(),
        timezone: draft.timezone.trim() || 'UTC',
        period: periodOf(draft.period),
        formats: draft.formats,
        recipients: draft.recipients
          .split(/[\s,;]+/)
          .map((address) => address.trim())
          .filter(Boolean),
        webhook_url: draft.webhookUrl.trim() || null,
        enabled: draft.enabled,
      });
      onCreated(schedule);
      setCreated(`Schedule "${schedule.name}" created.`);
      setDraft(emptyDraft());
    } catch (failure) {
      const found = fieldErrorsOf(failure as Error, FIELDS);
      setErrors(found);
      focusField(found);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Section title="Add a schedule">
      <form
        onSubmit={submit}
        noValidate
        aria-label="Add a schedule"
        className="schedule-form"
        data-testid="schedule-form"
      >
        <div className="form-grid">
          <div>
            <Field id="schedule-name" label="Name" error={errors.name}>
              {(described) => (
                <input
                  id="schedule-name"
                  value={draft.name}
                  onChange={(e) => set('name', e.target.value)}
                  placeholder="Weekly impact for the leadership team"
                  maxLength={120}
                  {...described}
                />
              )}
            </Field>
            <Field
              id="schedule-cron"
              label="When (cron)"
              error={errors.cron}
              hint={
                <>
                  Minute, hour, day of month, month, weekday. <code>0 8 * * 1</code> is every Monday
                  at 08:00; <code>0 7 1 * *</code> the first of each month at 07:00.
                </>
              }
            >
              {(described) => (
                <input
                  id="schedule-cron"
                  value={draft.cron}
                  onChange={(e) => set('cron', e.target.value)}
                  spellCheck={false}
                  autoComplete="off"
                  className="mono"
                  {...described}
                />
              )}
            </Field>
            <Field
              id="schedule-timezone"
              label="Time zone"
              error={errors.timezone}
              hint="An IANA time zone such as Europe/Berlin or America/New_York."
            >
              {(described) => (
                <input
                  id="schedule-timezone"
                  value={draft.timezone}
                  onChange={(e) => set('timezone', e.target.value)}
                  spellCheck={false}
                  {...described}
                />
              )}
            </Field>
          </div>
          <div>
            <TypeChoice
              id="schedule-type"
              value={draft.type}
              onChange={(value) => set('type', value)}
              error={errors.type}
            />
            <PeriodChoice
              id="schedule-period"
              value={draft.period}
              onChange={(value) => set('period', value)}
              error={errors.period}
            />
            <FormatChoice
              id="schedule-formats"
              value={draft.formats}
              onChange={(value) => set('formats', value)}
              error={errors.formats}
            />
          </div>
          <div>
            <Field
              id="schedule-recipients"
              label="E-mail recipients (optional)"
              error={errors.recipients}
              hint="One address per line, or separated by commas. Delivery needs SMTP configured on the server."
            >
              {(described) => (
                <textarea
                  id="schedule-recipients"
                  rows={3}
                  value={draft.recipients}
                  onChange={(e) => set('recipients', e.target.value)}
                  spellCheck={false}
                  {...described}
                />
              )}
            </Field>
            <Field
              id="schedule-webhook_url"
              label="Webhook URL (optional)"
              error={errors.webhook_url}
              hint="Receives a signed POST when a report is ready. https only."
            >
              {(described) => (
                <input
                  id="schedule-webhook_url"
                  inputMode="url"
                  value={draft.webhookUrl}
                  onChange={(e) => set('webhookUrl', e.target.value)}
                  spellCheck={false}
                  placeholder="https://example.com/hooks/silhouette"
                  {...described}
                />
              )}
            </Field>
            <label className="choice">
              <input
                type="checkbox"
                name="schedule-enabled"
                checked={draft.enabled}
                onChange={(e) => set('enabled', e.target.checked)}
              />
              <span>Start enabled</span>
            </label>
          </div>
        </div>
        <FormFooter
          busy={busy}
          busyLabel="Saving…"
          label="Add schedule"
          done={created}
          doneTestId="schedule-created"
          error={errors.form}
        />
      </form>
    </Section>
  );
}

export function WebhookSecret({
  name,
  secret,
  onDone,
}: {
  name: string;
  secret: string;
  onDone: () => void;
}) {
  const [copied, setCopied] = useState<string>();
  const copy = () => {
    navigator.clipboard.writeText(secret).then(
      () => setCopied('Copied to the clipboard.'),
      () => setCopied('Copying is not allowed here: select the secret and copy it by hand.'),
    );
  };
  return (
    <section
      className="card secret"
      aria-labelledby="webhook-secret-title"
      data-testid="webhook-secret"
    >
      <h3 id="webhook-secret-title">Webhook signing secret for "{name}"</h3>
      <p>
        <strong>Shown only this once.</strong> Copy it now and store it with your webhook receiver:
        it verifies the <code>X-Silhouette-Signature</code> header of every delivery. Silhouette
        cannot show it again; changing the webhook URL issues a new one.
      </p>
      <p>
        <code className="secret-value" data-testid="webhook-secret-value">
          {secret}
        </code>
      </p>
      <div className="row actions">
        <button type="button" onClick={copy}>
          Copy secret
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          I have stored it
        </button>
        <span className="spacer" />
      </div>
      <p className="small" aria-live="polite">
        {copied}
      </p>
    </section>
  );
}
