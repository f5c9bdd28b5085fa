/**
 * Alerts (issue #15, item 3): the alerts raised at publications, with their delivery state, and
 * for admins the rules (create, switch on/off, delete). A rule's webhook signing secret is shown
 * once, when it is created. Everything here reads published figures only.
 */
import { useEffect, useState, type FormEvent } from 'react';
import {
  alertsApi,
  type AlertKind,
  type AlertMap,
  type AlertRuleParams,
  type AlertRuleView,
  type AlertState,
  type AlertView,
} from '../alerts-client';
import { ApiRequestError } from '../api-client';
import { Async, fmt, Section, useApi } from '../ui';
import { Field, fieldErrorsOf, FormFooter, type FieldErrors } from './report-fields';
import { WebhookSecret } from './ReportSchedules';

const KIND_LABELS: Record<AlertKind, string> = {
  failure_rate_rise: 'Failure rate of a topic or issue cluster rises',
  new_cluster: 'A new topic appears',
  minutes_saved_drop: 'Minutes saved of a team or top topic fall',
  tagging_failures: 'Tagging failures exceed a share',
};

const THRESHOLD_LABELS: Record<AlertKind, string> = {
  failure_rate_rise: 'Rise of at least (percentage points)',
  new_cluster: 'With at least (conversations)',
  minutes_saved_drop: 'Fall of at least (%) week on week',
  tagging_failures: 'Above (% of processed conversations)',
};

const STATE_TONES: Record<AlertState, string> = {
  recorded: 'info',
  pending: 'warn',
  delivered: 'ok',
  failed: 'bad',
};

/** Slack-escaped text as a person reads it. */
const unescapeSlack = (text: string) =>
  text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

export function describeRule(params: AlertRuleParams): string {
  switch (params.kind) {
    case 'failure_rate_rise':
      return `failure rate of ${params.map === 'issue' ? 'issue' : 'topic'} clusters +${params.points} points at level ${params.level}, against the ${params.baseline === 'previous_week' ? 'previous week' : 'previous publication'}`;
    case 'new_cluster':
      return `new topic of ${fmt(params.min_conversations)}+ conversations at level ${params.level}`;
    case 'minutes_saved_drop':
      return `minutes saved of a ${params.scope === 'team' ? 'team' : 'top topic'} down ${params.percent}% week on week`;
    case 'tagging_failures':
      return `tagging failures above ${params.percent}% (from ${fmt(params.min_conversations)} conversations)`;
  }
}

export function Alerts({ csrf, admin }: { csrf: string; admin: boolean }) {
  const [version, setVersion] = useState(0);
  const alerts = useApi(() => alertsApi.alerts(csrf), [csrf, version]);
  // Alerts are raised by the worker at each publication: look again every few seconds.
  useEffect(() => {
    const timer = setInterval(() => setVersion((v) => v + 1), 5_000);
    return () => clearInterval(timer);
  }, []);
  return (
    <>
      <Section
        title="Raised alerts"
        note="Each rule raises at most one alert per subject and period, from published figures only."
      >
        <Async result={alerts} label="alerts">
          {(data) => <AlertList alerts={data.alerts} />}
        </Async>
      </Section>
      {admin && <AlertRules csrf={csrf} />}
    </>
  );
}

function AlertList({ alerts }: { alerts: AlertView[] }) {
  if (alerts.length === 0)
    return (
      <p className="muted" data-testid="no-alerts">
        No alert has been raised yet.
      </p>
    );
  return (
    <table className="table" aria-label="Raised alerts">
      <thead>
        <tr>
          <th scope="col">Raised</th>
          <th scope="col">Rule</th>
          <th scope="col">About</th>
          <th scope="col">Period</th>
          <th scope="col">What happened</th>
          <th scope="col">State</th>
        </tr>
      </thead>
      <tbody>
        {alerts.map((alert) => (
          <tr key={alert.id} data-testid="alert-row">
            <td>{new Date(alert.raised_at).toLocaleString('en')}</td>
            <td>{alert.rule_name}</td>
            <td>{alert.subject.label}</td>
            <td>{alert.period}</td>
            <td className="small">{unescapeSlack(alert.message)}</td>
            <td>
              <span className={`badge ${STATE_TONES[alert.state]}`} data-testid="alert-state">
                {alert.state}
              </span>
              {alert.deliveries
                .filter((delivery) => delivery.failure_reason)
                .map((delivery) => (
                  <p key={`${delivery.channel}/${delivery.target}`} className="error small">
                    {delivery.channel}: {delivery.failure_reason}
                  </p>
                ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function AlertRules({ csrf }: { csrf: string }) {
  const [version, setVersion] = useState(0);
  const rules = useApi(() => alertsApi.rules(csrf), [csrf, version]);
  const [secret, setSecret] = useState<{ name: string; secret: string }>();
  const [error, setError] = useState<string>();
  const act = async (action: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await action();
      setVersion((v) => v + 1);
    } catch (failure) {
      setError((failure as Error).message);
    }
  };
  return (
    <>
      {secret && (
        <WebhookSecret
          name={secret.name}
          secret={secret.secret}
          onDone={() => setSecret(undefined)}
        />
      )}
      <Section title="Alert rules" note="Evaluated at each publication of your insights.">
        <Async result={rules} label="alert rules">
          {(data) =>
            data.rules.length === 0 ? (
              <p className="muted">No rules yet.</p>
            ) : (
              <table className="table" aria-label="Alert rules">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Fires when</th>
                    <th scope="col">Sends to</th>
                    <th scope="col">Actions</th>
                  </tr>
                </thead>
                <tbody>
                  {data.rules.map((rule: AlertRuleView) => (
                    <tr key={rule.id} data-testid="alert-rule">
                      <td>{rule.name}</td>
                      <td className="small">{describeRule(rule.params)}</td>
                      <td className="small">
                        {[...rule.recipients, ...(rule.webhook_url ? ['webhook'] : [])].join(
                          ', ',
                        ) || 'listed here only'}
                      </td>
                      <td>
                        <button
                          type="button"
                          className="secondary"
                          onClick={() =>
                            void act(() =>
                              alertsApi.updateRule(csrf, rule.id, { enabled: !rule.enabled }),
                            )
                          }
                        >
                          {rule.enabled ? 'Switch off' : 'Switch on'}
                        </button>{' '}
                        <button
                          type="button"
                          className="secondary"
                          onClick={() => void act(() => alertsApi.deleteRule(csrf, rule.id))}
                        >
                          Delete
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )
          }
        </Async>
        {error && (
          <p role="alert" className="error small">
            {error}
          </p>
        )}
      </Section>
      <NewRuleForm
        csrf={csrf}
        onCreated={(created) => {
          const { webhook_secret: webhookSecret, ...rule } = created;
          setSecret(webhookSecret ? { name: rule.name, secret: webhookSecret } : undefined);
          setVersion((v) => v + 1);
        }}
      />
    </>
  );
}

const FIELDS = ['name', 'params', 'recipients', 'webhook_url'] as const;

function NewRuleForm({
  csrf,
  onCreated,
}: {
  csrf: string;
  onCreated: (rule: AlertRuleView & { webhook_secret?: string }) => void;
}) {
  const [name, setName] = useState('');
  const [kind, setKind] = useState<AlertKind>('failure_rate_rise');
  const [threshold, setThreshold] = useState('10');
  const [level, setLevel] = useState('0');
  const [map, setMap] = useState<AlertMap>('topic');
  const [scope, setScope] = useState<'team' | 'top_cluster'>('team');
  const [baseline, setBaseline] = useState<'previous_week' | 'previous_publication'>(
    'previous_week',
  );
  const [recipients, setRecipients] = useState('');
  const [webhook, setWebhook] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [done, setDone] = useState<string | null>();

  const params = (): AlertRuleParams => {
    const value = Number(threshold);
    switch (kind) {
      case 'failure_rate_rise':
        return { kind, map, points: value, level: Number(level), baseline };
      case 'new_cluster':
        return { kind, min_conversations: value, level: Number(level), baseline };
      case 'minutes_saved_drop':
        return { kind, percent: value, scope };
      case 'tagging_failures':
        return { kind, percent: value, min_conversations: 20 };
    }
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    setDone(null);
    try {
      const created = await alertsApi.createRule(csrf, {
        name: name.trim(),
        params: params(),
        recipients: recipients
          .split(',')
          .map((entry) => entry.trim())
          .filter(Boolean),
        webhook_url: webhook.trim() || null,
      });
      setDone(`Rule "${created.name}" created.`);
      setName('');
      onCreated(created);
    } catch (failure) {
      // The map and level have their own controls: their errors are shown there.
      const field = failure instanceof ApiRequestError ? failure.field : undefined;
      const found = fieldErrorsOf(failure as Error, FIELDS);
      setErrors(
        field === 'params.map' || field === 'params.level'
          ? { [field.slice('params.'.length)]: found['params'] ?? (failure as Error).message }
          : found,
      );
    } finally {
      setBusy(false);
    }
  }

  const comparesClusters = kind === 'failure_rate_rise' || kind === 'new_cluster';
  return (
    <Section title="New alert rule">
      <form className="form-grid" onSubmit={submit} aria-label="New alert rule">
        <Field id="alert-name" label="Name" error={errors['name']}>
          {(described) => (
            <input
              id="alert-name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              required
              {...described}
            />
          )}
        </Field>
        <Field id="alert-kind" label="Fires when">
          {(described) => (
            <select
              id="alert-kind"
              value={kind}
              onChange={(e) => setKind(e.target.value as AlertKind)}
              {...described}
            >
              {(Object.keys(KIND_LABELS) as AlertKind[]).map((value) => (
                <option key={value} value={value}>
                  {KIND_LABELS[value]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="alert-threshold" label={THRESHOLD_LABELS[kind]} error={errors['params']}>
          {(described) => (
            <input
              id="alert-threshold"
              type="number"
              min="0"
              step="any"
              value={threshold}
              onChange={(e) => setThreshold(e.target.value)}
              required
              {...described}
            />
          )}
        </Field>
        {kind === 'failure_rate_rise' && (
          <Field id="alert-map" label="Clusters watched" error={errors['map']}>
            {(described) => (
              <select
                id="alert-map"
                value={map}
                onChange={(e) => setMap(e.target.value as AlertMap)}
                {...described}
              >
                <option value="topic">topic clusters (where)</option>
                <option value="issue">issue clusters (what goes wrong)</option>
              </select>
            )}
          </Field>
        )}
        {comparesClusters && (
          <>
            <Field
              id="alert-level"
              label="Tree level"
              hint={
                kind === 'failure_rate_rise' && map === 'issue'
                  ? '0: root-cause groups, 1: specific issues.'
                  : '0 is the top level.'
              }
              error={errors['level']}
            >
              {(described) => (
                <input
                  id="alert-level"
                  type="number"
                  min="0"
                  max={kind === 'failure_rate_rise' && map === 'issue' ? '1' : '4'}
                  value={level}
                  onChange={(e) => setLevel(e.target.value)}
                  {...described}
                />
              )}
            </Field>
            <Field id="alert-baseline" label="Compared with">
              {(described) => (
                <select
                  id="alert-baseline"
                  value={baseline}
                  onChange={(e) => setBaseline(e.target.value as typeof baseline)}
                  {...described}
                >
                  <option value="previous_week">the figures at the end of last week</option>
                  <option value="previous_publication">the previous publication</option>
                </select>
              )}
            </Field>
          </>
        )}
        {kind === 'minutes_saved_drop' && (
          <Field id="alert-scope" label="For each">
            {(described) => (
              <select
                id="alert-scope"
                value={scope}
                onChange={(e) => setScope(e.target.value as typeof scope)}
                {...described}
              >
                <option value="team">team</option>
                <option value="top_cluster">top-level topic</option>
              </select>
            )}
          </Field>
        )}
        <Field
          id="alert-recipients"
          label="E-mail to"
          hint="Comma-separated addresses (optional)."
          error={errors['recipients']}
        >
          {(described) => (
            <input
              id="alert-recipients"
              value={recipients}
              onChange={(e) => setRecipients(e.target.value)}
              {...described}
            />
          )}
        </Field>
        <Field
          id="alert-webhook"
          label="Webhook URL"
          hint="Optional. A Slack incoming webhook works: the body has a Slack-compatible text field."
          error={errors['webhook_url']}
        >
          {(described) => (
            <input
              id="alert-webhook"
              type="url"
              value={webhook}
              onChange={(e) => setWebhook(e.target.value)}
              {...described}
            />
          )}
        </Field>
        <FormFooter
          busy={busy}
          busyLabel="Creating…"
          label="Create rule"
          done={done}
          doneTestId="alert-rule-created"
          error={errors['form']}
        />
      </form>
    </Section>
  );
}
