import { api } from '../api-client';
import { BarList, ColumnChart } from '../charts';
import { Link } from '../router';
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
import { Breadcrumb } from './Explore';
import { metricBars, weeklyPoints } from './Overview';

const LINEAGE: Record<string, string> = {
  new: 'New in this snapshot.',
  continued: 'The same group as in the previous snapshot (its identity is kept across runs).',
  split: 'Split off from a group of the previous snapshot.',
  merged: 'Merged from groups of the previous snapshot.',
  pooled: 'A pool of groups too small to show on their own.',
};

export function ClusterDetail({ csrf, id, kUsers }: { csrf: string; id: string; kUsers: number }) {
  const detail = useApi(() => api.cluster(csrf, id), [csrf, id]);
  return (
    <Async result={detail} label="cluster detail">
      {(cluster) => {
        const m = cluster.metrics;
        const saved = m.minutes_saved;
        const lineageKind = cluster.lineage.kind ?? 'new';
        return (
          <article aria-labelledby="cluster-title" data-testid="cluster-detail">
            <Breadcrumb path={cluster.path} current={cluster.name} />
            <h2 id="cluster-title">{cluster.name}</h2>
            {cluster.description && <p className="lede">{cluster.description}</p>}
            {cluster.keywords.length > 0 && (
              <p className="keywords" data-testid="cluster-detail-keywords">
                <span className="muted">Keywords: </span>
                {cluster.keywords.map((keyword) => (
                  <span key={keyword} className="keyword">
                    {keyword}
                  </span>
                ))}
              </p>
            )}
            <Tiles
              label="Cluster figures"
              tiles={[
                {
                  label: 'Conversations',
                  value: (
                    <Approx value={cluster.conversations} noise={cluster.noise?.conversations} />
                  ),
                  testId: 'cluster-conversations',
                  // A sampled tenant: the count is an estimate (issue #15, item 5).
                  ...(m.sampling
                    ? {
                        note: `estimated from a sample: 90% interval ${fmt(m.sampling.conversations.low)}–${fmt(m.sampling.conversations.high)}`,
                      }
                    : {}),
                },
                {
                  label: 'People',
                  value: (
                    <Approx value={cluster.distinct_users} noise={cluster.noise?.distinct_users} />
                  ),
                },
                {
                  label: 'Minutes saved',
                  value: (
                    <Approx
                      value={cluster.minutes_saved}
                      noise={cluster.noise?.minutes_saved}
                      format={(v) => minutes(v)}
                    />
                  ),
                  note: saved && interval(saved.total_low, saved.total_high),
                },
                {
                  label: 'Resolution rate',
                  value: outcomesShown(m.outcomes) ? pct(m.resolution_rate) : '—',
                  note: outcomesShown(m.outcomes)
                    ? `failure rate ${pct(m.failure_rate ?? cluster.failure_rate)}`
                    : `hidden: showing it would reveal an outcome shared by fewer than ${kUsers} people`,
                },
                {
                  label: 'Failure impact',
                  value: minutes(m.failure_impact_minutes),
                  note:
                    m.failure_impact_minutes === null
                      ? `hidden: fewer than ${kUsers} people failed`
                      : 'manual time of failed conversations',
                },
                {
                  label: 'Frustration',
                  value:
                    m.frustration_mean === undefined ? '—' : `${fmt(m.frustration_mean, 1)} / 5`,
                  note:
                    m.low_confidence_conversations == null
                      ? 'low-confidence tags: too few to show'
                      : `${fmt(m.low_confidence_conversations)} low-confidence tags`,
                },
              ]}
            />
            <div className="grid">
              <Section title="Conversations per week">
                <ColumnChart
                  points={weeklyPoints(m.weekly)}
                  label="Conversations per ISO week"
                  height={140}
                />
              </Section>
              <Section title="Outcomes">
                <BarList bars={metricBars(m.outcomes, kUsers, humanize)} label="Outcomes" />
              </Section>
              <Section title="Failure reasons" note="A conversation can have several reasons.">
                <BarList
                  bars={metricBars(m.failure_reasons, kUsers, humanize)}
                  empty={`No failure reason is shared by at least ${kUsers} people here.`}
                  label="Failure reasons"
                />
              </Section>
              <Section title="Languages">
                <BarList bars={metricBars(m.languages, kUsers)} label="Languages" />
              </Section>
              <Section title="Teams">
                <BarList bars={metricBars(m.teams, kUsers)} label="Teams" />
              </Section>
              <Section title="Task types">
                <BarList bars={metricBars(m.task_types, kUsers)} label="Task types" />
              </Section>
              {Object.entries(m.custom ?? {}).map(([key, rows]) => (
                <Section
                  key={key}
                  title={`Custom facet: ${key}`}
                  note={
                    m.custom_means?.[key] !== undefined
                      ? m.custom_means[key] === null
                        ? 'Mean hidden: too few people answered.'
                        : `Mean answer ${fmt(m.custom_means[key], 2)}.`
                      : undefined
                  }
                >
                  <BarList
                    bars={metricBars(rows, kUsers, (value) =>
                      value === '(not set)' ? 'Not answered' : value,
                    )}
                    label={`Custom facet ${key}`}
                    testId={`custom-facet-${key}`}
                  />
                </Section>
              ))}
            </div>
            <Section
              title="What people were trying to do"
              note={`Merged goal statements, each backed by at least ${kUsers} different people.`}
            >
              {cluster.goals.length === 0 ? (
                <p className="muted">No goal is shared by enough people to be shown.</p>
              ) : (
                <ul className="goals">
                  {cluster.goals.map((goal) => (
                    <li key={goal.text}>
                      {goal.text}{' '}
                      {goal.users !== null && (
                        <span className="muted small">
                          backed by {fmt(goal.users)} people, {fmt(goal.conversations)}{' '}
                          conversations
                        </span>
                      )}
                    </li>
                  ))}
                </ul>
              )}
            </Section>
            <div className="grid">
              <Section title="Groups inside">
                {cluster.children.length === 0 ? (
                  <p className="muted">This is a base group: nothing below it.</p>
                ) : (
                  <ul className="links">
                    {cluster.children
                      .slice()
                      .sort((a, b) => b.conversations - a.conversations)
                      .map((child) => (
                        <li key={child.id}>
                          <Link to={{ view: 'explore', cluster: child.id }}>{child.name}</Link>{' '}
                          <span className="muted small">
                            {fmt(child.conversations)} conversations
                          </span>
                        </li>
                      ))}
                  </ul>
                )}
              </Section>
              <Section title="History">
                <p>{LINEAGE[lineageKind] ?? `Lineage: ${lineageKind}.`}</p>
                {(cluster.lineage.sources ?? []).length > 0 && (
                  <p className="muted small">
                    From {cluster.lineage.sources!.length} earlier group
                    {cluster.lineage.sources!.length === 1 ? '' : 's'}.
                  </p>
                )}
                <p className="muted small">
                  Snapshot v{cluster.snapshot.version}, level {cluster.level + 1} of the tree.
                </p>
              </Section>
            </div>
          </article>
        );
      }}
    </Async>
  );
}
