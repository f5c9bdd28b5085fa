import { api, type FailureCluster, type FailureTrend } from '../api-client';
import { BarList } from '../charts';
import { Link, navigate, type Route } from '../router';
import { Approx, Async, fmt, humanize, minutes, outcomesShown, pct, Section, useApi } from '../ui';
import { IssuesMap } from './IssuesMap';

const impact = (cluster: FailureCluster) => cluster.failure_impact_minutes ?? 0;

/**
 * The change since the previous snapshot, as an arrow and words. More failure impact is worse
 * (up, red), less is better (down, green). Only figures shown in both snapshots are compared.
 */
export function TrendCell({ trend }: { trend: FailureTrend }) {
  if (trend.status === 'no_previous') return <span className="muted">first snapshot</span>;
  if (trend.status === 'new') return <span className="muted">new group</span>;
  if (trend.status === 'was_pooled')
    return <span className="muted">newly shown (was too small)</span>;
  const change = trend.failure_impact_minutes?.change ?? null;
  if (change === null)
    return (
      <span className="muted" title="Hidden in one of the two snapshots: too few people failed">
        not comparable
      </span>
    );
  if (change === 0)
    return (
      <span className="trend flat">
        <span aria-hidden="true">→ </span>no change
      </span>
    );
  const worse = change > 0;
  return (
    <span className={`trend ${worse ? 'worse' : 'better'}`}>
      <span aria-hidden="true">{worse ? '▲ ' : '▼ '}</span>
      {worse ? '+' : '−'}
      {minutes(Math.abs(change))}
      <span className="sr-only">{worse ? ' more failure impact' : ' less failure impact'}</span>
    </span>
  );
}

export function Failures({ csrf, route }: { csrf: string; route: Route }) {
  const failures = useApi(() => api.failures(csrf), [csrf]);
  return (
    <Async result={failures} label="failures">
      {(data) => {
        const reasons = [
          ...new Set(
            data.clusters.flatMap((cluster) =>
              cluster.failure_reasons.filter((row) => !row.isOther).map((row) => row.value),
            ),
          ),
        ].sort();
        const reason = route.reason && reasons.includes(route.reason) ? route.reason : undefined;
        const count = (cluster: FailureCluster) =>
          cluster.failure_reasons.find((row) => row.value === reason)?.conversations ?? 0;
        const shown = reason
          ? data.clusters
              .filter((cluster) => count(cluster) > 0)
              .sort((a, b) => count(b) - count(a))
          : data.clusters;
        const top = shown
          .filter((cluster) => (reason ? count(cluster) : impact(cluster)) > 0)
          .slice(0, 12);
        return (
          <>
            <h2>Where the assistant fails, and what goes wrong</h2>
            <p className="muted">
              Base clusters ranked by failure impact: the manual time of their unresolved and
              abandoned conversations, i.e. what people had to do without help. Impact is hidden
              when too few people failed in a group.{' '}
              {data.previous_snapshot
                ? `Arrows compare with the previous snapshot (version ${data.previous_snapshot.version}, ${data.previous_snapshot.published_at.slice(0, 10)}).`
                : 'This is the first snapshot: trends appear from the next one.'}
              {data.total > data.clusters.length &&
                ` Showing the ${fmt(data.clusters.length)} with the highest impact of ${fmt(data.total)}.`}
            </p>
            <div className="row filters">
              <label htmlFor="reason">Failure reason</label>
              <select
                id="reason"
                value={reason ?? ''}
                onChange={(event) =>
                  navigate(
                    { view: 'failures', reason: event.target.value || undefined },
                    { replace: true },
                  )
                }
              >
                <option value="">All reasons</option>
                {reasons.map((value) => (
                  <option key={value} value={value}>
                    {humanize(value)}
                  </option>
                ))}
              </select>
            </div>
            <div className="columns">
              <Section
                title={
                  reason ? `Conversations failing with "${humanize(reason)}"` : 'Failure impact'
                }
              >
                <BarList
                  label="Clusters by failure impact"
                  testId="failure-chart"
                  empty="No cluster has a failure area large enough to show: in each, fewer than the minimum number of people had an unresolved or abandoned conversation."
                  format={reason ? (value) => `${fmt(value)} conv.` : minutes}
                  bars={top.map((cluster) => ({
                    key: cluster.id,
                    label: cluster.name,
                    value: reason ? count(cluster) : impact(cluster),
                    note: outcomesShown(cluster.outcomes)
                      ? `${pct(cluster.failure_rate)} failed`
                      : undefined,
                    other: cluster.is_other,
                  }))}
                />
              </Section>
              <IssuesMap csrf={csrf} />
            </div>
            <Section title="Ranked clusters">
              {shown.length === 0 ? (
                <p className="muted">
                  No cluster has enough failures with this reason to be shown.
                </p>
              ) : (
                <table className="table" data-testid="failure-table">
                  <thead>
                    <tr>
                      <th scope="col">#</th>
                      <th scope="col">Cluster</th>
                      <th scope="col" className="num">
                        Conversations
                      </th>
                      <th scope="col" className="num">
                        Failure rate
                      </th>
                      <th scope="col" className="num">
                        Failure impact
                      </th>
                      <th scope="col">Since last snapshot</th>
                      <th scope="col">Top reasons</th>
                    </tr>
                  </thead>
                  <tbody>
                    {shown.map((cluster, i) => (
                      <tr key={cluster.id}>
                        <td>{i + 1}</td>
                        <td>
                          <Link to={{ view: 'explore', cluster: cluster.id }}>{cluster.name}</Link>
                        </td>
                        <td className="num">
                          <Approx
                            value={cluster.conversations}
                            noise={cluster.noise?.conversations}
                          />
                        </td>
                        <td className="num">
                          {outcomesShown(cluster.outcomes) ? (
                            pct(cluster.failure_rate)
                          ) : (
                            <span className="muted">hidden</span>
                          )}
                        </td>
                        <td className="num">
                          {cluster.failure_impact_minutes === null ? (
                            <span className="muted">hidden</span>
                          ) : (
                            minutes(cluster.failure_impact_minutes)
                          )}
                        </td>
                        <td data-testid="failure-trend">
                          <TrendCell trend={cluster.trend} />
                        </td>
                        <td className="small">
                          {cluster.failure_reasons
                            .filter((row) => !row.isOther)
                            .sort((a, b) => b.conversations - a.conversations)
                            .slice(0, 3)
                            .map((row) => `${humanize(row.value)} (${fmt(row.conversations)})`)
                            .join(', ') || <span className="muted">none shown</span>}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </Section>
          </>
        );
      }}
    </Async>
  );
}
