import { api, type MetricRow } from '../api-client';
import { BarList, ColumnChart, type Bar } from '../charts';
import { navigate } from '../router';
import { CostPanel, SampleNote } from './CostPanel';
import {
  Approx,
  Async,
  fmt,
  humanize,
  interval,
  minutes,
  outcomesShown,
  pct,
  Section,
  Tiles,
  useApi,
} from '../ui';

/** A facet value as written, apart from the placeholders. */
export const asIs = (value: string): string => (value === '(not set)' ? 'Not set' : value);

/** Metric rows as bars; the pooled row is labelled for what it is. */
export function metricBars(
  rows: MetricRow[] | undefined,
  kUsers: number,
  labelOf: (value: string) => string = asIs,
): Bar[] {
  return (rows ?? []).map((row) => ({
    key: row.value,
    label: row.isOther ? `Pooled (includes groups under ${kUsers} people)` : labelOf(row.value),
    value: row.conversations,
    note: `${fmt(row.distinctUsers)} people`,
    other: row.isOther,
  }));
}

/** ISO weeks in order, the pooled bucket left out of the time axis. */
export function weeklyPoints(rows: MetricRow[] | undefined) {
  return (rows ?? [])
    .filter((row) => !row.isOther)
    .sort((a, b) => (a.value < b.value ? -1 : 1))
    .map((row) => ({
      key: row.value,
      label: row.value.replace(/^\d{4}-/, ''),
      value: row.conversations,
    }));
}

export function Overview({
  csrf,
  kUsers,
  admin,
}: {
  csrf: string;
  kUsers: number;
  /**
   * Raw pipeline counts are for admins (the API refuses them to read scopes); admins also see
   * this month's LLM cost and budget (issue #15).
   */
  admin: boolean;
}) {
  const overview = useApi(() => api.overview(csrf), [csrf]);
  const top = useApi(() => api.clusters(csrf), [csrf]);
  return (
    <>
      <Async result={overview} label="overview">
        {(data) => {
          if (!data.published || data.conversations === undefined)
            return (
              <div className="card empty" role="status">
                <h2>Not enough data yet</h2>
                <p>
                  A snapshot exists but it covers fewer than {data.thresholds.k_users} people or{' '}
                  {data.thresholds.min_conversations} conversations, so nothing can be shown yet.
                </p>
              </div>
            );
          const saved = data.minutes_saved;
          const other = (data.weekly ?? []).find((row) => row.isOther);
          return (
            <>
              <p className="muted small">
                Snapshot v{data.snapshot.version}, published{' '}
                {new Date(data.snapshot.published_at).toLocaleString('en')}
                {data.snapshot.period.start &&
                  ` · covers ${data.snapshot.period.start.slice(0, 10)} to ${data.snapshot.period.end?.slice(0, 10)}`}
              </p>
              {data.privacy?.mode === 'dp' && (
                <p className="muted small" data-testid="dp-note">
                  Figures carry differential-privacy noise (ε = {data.privacy.epsilon_cap} per
                  month): “≈” marks a noisy figure, and hovering shows its 90% interval.
                </p>
              )}
              <SampleNote sample={data.sample} />
              <Tiles
                label="Key figures"
                tiles={[
                  {
                    label: 'Conversations',
                    value: <Approx value={data.conversations} noise={data.noise?.conversations} />,
                    testId: 'overview-conversations',
                  },
                  {
                    label: 'Active users',
                    value: (
                      <Approx value={data.distinct_users} noise={data.noise?.distinct_users} />
                    ),
                    testId: 'overview-users',
                  },
                  {
                    label: 'Minutes saved',
                    value: (
                      <Approx
                        value={saved?.total}
                        noise={data.noise?.minutes_saved}
                        format={(v) => minutes(v)}
                      />
                    ),
                    note: saved && interval(saved.total_low, saved.total_high),
                    testId: 'overview-minutes',
                  },
                  {
                    label: 'Per active user per week',
                    value: minutes(saved?.per_active_user_per_week),
                  },
                  {
                    label: 'Resolution rate',
                    value: outcomesShown(data.outcomes) ? pct(data.resolution_rate) : '—',
                    note: outcomesShown(data.outcomes)
                      ? `failure rate ${pct(data.failure_rate)}`
                      : `hidden: showing it would reveal an outcome shared by fewer than ${kUsers} people`,
                  },
                  {
                    label: 'Low-confidence tags',
                    value:
                      data.low_confidence_conversations == null
                        ? '—'
                        : fmt(data.low_confidence_conversations),
                    note:
                      data.low_confidence_conversations == null
                        ? `hidden: fewer than ${kUsers} people or too few conversations`
                        : 'counted, shown as such',
                  },
                ]}
              />
              {saved?.method && (
                <p className="muted small">How minutes saved is estimated: {saved.method}</p>
              )}
              <div className="grid">
                <Section
                  title="Conversations per week"
                  note={
                    other
                      ? `${fmt(other.conversations)} conversations fall in weeks with fewer than ${kUsers} users and are pooled, not drawn.`
                      : undefined
                  }
                >
                  <ColumnChart
                    points={weeklyPoints(data.weekly)}
                    label="Conversations per ISO week"
                  />
                </Section>
                <Section title="Outcomes">
                  <BarList
                    bars={metricBars(data.outcomes, kUsers, humanize)}
                    label="Conversations by outcome"
                  />
                </Section>
              </div>
            </>
          );
        }}
      </Async>
      {overview.state === 'ok' && (
        <Async result={top} label="top-level clusters">
          {(data) => (
            <Section title="Top-level clusters" note="Click a cluster to explore it.">
              <ul className="bars clickable" aria-label="Top-level clusters by conversations">
                {data.clusters
                  .slice()
                  .sort((a, b) => b.conversations - a.conversations)
                  .map((cluster) => {
                    const max = Math.max(...data.clusters.map((c) => c.conversations), 1);
                    return (
                      <li key={cluster.id} className={cluster.is_other ? 'other' : undefined}>
                        <button
                          type="button"
                          className="linklike bar-label"
                          onClick={() => navigate({ view: 'explore', node: cluster.id })}
                        >
                          {cluster.name}
                        </button>
                        <svg
                          className="bar-track"
                          viewBox="0 0 100 10"
                          preserveAspectRatio="none"
                          aria-hidden
                        >
                          <rect
                            x="0"
                            y="0"
                            width={(cluster.conversations / max) * 100}
                            height="10"
                          />
                        </svg>
                        <span className="bar-value">
                          <Approx
                            value={cluster.conversations}
                            noise={cluster.noise?.conversations}
                          />
                          <span className="muted"> · {minutes(cluster.minutes_saved)} saved</span>
                        </span>
                      </li>
                    );
                  })}
              </ul>
            </Section>
          )}
        </Async>
      )}
      {admin && <CostPanel csrf={csrf} />}
      {admin && <Pipeline csrf={csrf} />}
    </>
  );
}

function Pipeline({ csrf }: { csrf: string }) {
  const status = useApi(() => api.status(csrf), [csrf]);
  return (
    <Section
      title="Pipeline"
      note="Live counts of conversations moving through the sealed pipeline."
    >
      <Async result={status} label="pipeline status">
        {(s) => (
          <dl className="tiles compact">
            <div>
              <dt>Conversations</dt>
              <dd data-testid="kpi-conversations">{s.conversations.toLocaleString()}</dd>
            </div>
            <div>
              <dt>Waiting for tagging</dt>
              <dd>{s.accepted.toLocaleString()}</dd>
            </div>
            <div>
              <dt>Growing, tagged once idle</dt>
              <dd data-testid="kpi-waiting-for-idle">{s.waiting_for_idle.toLocaleString()}</dd>
            </div>
            <div>
              <dt>Tagged</dt>
              <dd data-testid="kpi-tagged">{(s.tagged + s.embedded).toLocaleString()}</dd>
            </div>
            <div>
              <dt>Failed</dt>
              <dd>{s.failed.toLocaleString()}</dd>
            </div>
            <div>
              <dt>Paused for budget</dt>
              <dd data-testid="kpi-paused-budget">{s.paused_budget.toLocaleString()}</dd>
            </div>
            <div>
              <dt>Outside the sample</dt>
              <dd>{s.not_sampled.toLocaleString()}</dd>
            </div>
            <div>
              <dt>Content deleted (retention)</dt>
              <dd data-testid="kpi-content-deleted">{s.content_deleted.toLocaleString()}</dd>
            </div>
          </dl>
        )}
      </Async>
    </Section>
  );
}
