import { facetsApi, type MapCluster } from '../facets-client';
import { BarList } from '../charts';
import { Link } from '../router';
import { Approx, Async, fmt, humanize, minutes, pct, Section, useApi } from '../ui';

/**
 * "What goes wrong" beside "where": the issues map (issue #15). Every conversation that did not
 * fully succeed has an issue of at most 12 words; issues are grouped in two levels and shown only
 * as groups that pass the privacy thresholds, never one by one. Each group lists the topic
 * clusters it occurs in, where that cell passes the thresholds too.
 */
export function IssuesMap({
  csrf,
  name = 'issues',
  title = 'What goes wrong',
  note = 'Issues (what went wrong in each conversation that did not fully succeed) grouped in two levels. Only groups with enough people are shown, never a single issue; each lists the topic clusters it occurs in, where that cell has enough people too.',
  otherLabel = 'Other issues',
}: {
  csrf: string;
  /** `issues`, or `custom:<key>` for a short-text custom facet's map. */
  name?: string;
  title?: string;
  note?: string;
  otherLabel?: string;
}) {
  const map = useApi(() => facetsApi.map(csrf, name), [csrf, name]);
  return (
    <Async result={map} label="issues map">
      {({ clusters }) => {
        const top = clusters
          .filter((cluster) => cluster.level === 0)
          .sort(
            (a, b) => Number(a.is_other) - Number(b.is_other) || b.conversations - a.conversations,
          );
        const childrenOf = (parent: MapCluster) =>
          clusters
            .filter((cluster) => cluster.parent_id === parent.id)
            .sort(
              (a, b) =>
                Number(a.is_other) - Number(b.is_other) || b.conversations - a.conversations,
            );
        const label = (cluster: MapCluster) => (cluster.is_other ? otherLabel : cluster.name);
        return (
          <Section title={title} note={note}>
            {top.length === 0 ? (
              <p className="muted" data-testid="issues-map">
                No group is large enough to show yet.
              </p>
            ) : (
              <div data-testid="issues-map">
                <BarList
                  label="Issue groups by conversations"
                  testId="issues-chart"
                  format={(value) => `${fmt(value)} conv.`}
                  bars={top.map((cluster) => ({
                    key: cluster.id,
                    label: label(cluster),
                    value: cluster.conversations,
                    note: `${fmt(cluster.distinct_users)} people`,
                    other: cluster.is_other,
                  }))}
                />
                {top.map((group) => (
                  <details key={group.id} className="issue-group" data-testid="issue-group">
                    <summary>
                      <strong>{label(group)}</strong>{' '}
                      <span className="muted small">
                        <Approx
                          value={group.conversations}
                          noise={group.noise?.['conversations']}
                        />{' '}
                        conversations ·{' '}
                        <Approx
                          value={group.distinct_users}
                          noise={group.noise?.['distinct_users']}
                        />{' '}
                        people
                        {group.failure_rate !== null && ` · ${pct(group.failure_rate)} failed`}
                        {group.failure_impact_minutes !== null &&
                          ` · impact ${minutes(group.failure_impact_minutes)}`}
                      </span>
                    </summary>
                    {group.description && <p className="small">{group.description}</p>}
                    {group.keywords.length > 0 && (
                      <p className="muted small keywords" data-testid="issue-keywords">
                        {group.keywords.join(', ')}
                      </p>
                    )}
                    <IssueTopics cluster={group} />
                    <ul className="issue-children">
                      {childrenOf(group).map((child) => (
                        <li key={child.id}>
                          {label(child)}{' '}
                          <span className="muted small">
                            <Approx
                              value={child.conversations}
                              noise={child.noise?.['conversations']}
                            />{' '}
                            conv. ·{' '}
                            <Approx
                              value={child.distinct_users}
                              noise={child.noise?.['distinct_users']}
                            />{' '}
                            people
                            {child.failure_reasons.filter((row) => !row.isOther).length > 0 &&
                              ` · ${child.failure_reasons
                                .filter((row) => !row.isOther)
                                .sort((a, b) => b.conversations - a.conversations)
                                .slice(0, 2)
                                .map((row) => humanize(row.value))
                                .join(', ')}`}
                          </span>
                          <IssueTopics cluster={child} />
                        </li>
                      ))}
                    </ul>
                  </details>
                ))}
              </div>
            )}
          </Section>
        );
      }}
    </Async>
  );
}

function IssueTopics({ cluster }: { cluster: MapCluster }) {
  if (cluster.topics.length === 0) return null;
  return (
    <p className="small issue-topics" data-testid="issue-topics">
      Occurs in:{' '}
      {cluster.topics.map((topic, i) => (
        <span key={topic.cluster_id}>
          {i > 0 && ', '}
          <Link to={{ view: 'explore', cluster: topic.cluster_id }}>{topic.name}</Link> (
          <Approx value={topic.conversations} noise={topic.noise?.['conversations']} />)
        </span>
      ))}
    </p>
  );
}
