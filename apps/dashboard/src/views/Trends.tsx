import { api, type TrendFacet } from '../api-client';
import { facetsApi } from '../facets-client';
import { ColumnChart } from '../charts';
import { navigate, type Route } from '../router';
import { Approx, Async, humanize, useApi } from '../ui';

/** A built-in trend facet, or a custom facet as `custom:<key>` (issue #15). */
type TrendChoice = TrendFacet | `custom:${string}`;

const FACETS: { value: TrendChoice; label: string }[] = [
  { value: 'domain', label: 'Domain' },
  { value: 'task_type', label: 'Task type' },
  { value: 'cluster', label: 'Top-level cluster' },
];

/**
 * Conversations per week (or month) and, per bucket, the values large enough to show; the rest
 * of a bucket is pooled and labelled as such, never silently dropped.
 */
export function Trends({ csrf, route, kUsers }: { csrf: string; route: Route; kUsers: number }) {
  // Custom facets published as breakdowns have trends too.
  const published = useApi(() => facetsApi.published(csrf), [csrf]);
  const choices: { value: TrendChoice; label: string }[] = [
    ...FACETS,
    ...(published.state === 'ok'
      ? published.data.facets
          .filter((f) => f.published_as === 'breakdown')
          .map((f) => ({ value: `custom:${f.key}` as TrendChoice, label: f.question }))
      : []),
  ];
  const facet = (choices.find((f) => f.value === route.facet) ?? FACETS[0]!).value;
  const interval = route.reason === 'month' ? 'month' : 'week';
  const data = useApi(() => api.trends(csrf, facet, interval), [csrf, facet, interval]);
  const clusters = useApi(
    () => (facet === 'cluster' ? api.clusters(csrf) : Promise.resolve(undefined)),
    [csrf, facet],
  );
  const names = new Map(
    clusters.state === 'ok' && clusters.data
      ? clusters.data.clusters.map((c) => [c.id, c.name])
      : [],
  );
  const labelOf = (value: string, isOther: boolean) =>
    isOther
      ? `Other (pooled: includes groups under ${kUsers} people)`
      : facet === 'cluster'
        ? (names.get(value) ?? 'a cluster')
        : facet.startsWith('custom:')
          ? value === '(not set)'
            ? 'Not answered'
            : value
          : humanize(value);
  return (
    <>
      <h2>Trends</h2>
      <div role="radiogroup" aria-label="Trend of" className="segmented">
        {choices.map((f) => (
          <button
            key={f.value}
            type="button"
            role="radio"
            aria-checked={f.value === facet}
            onClick={() =>
              navigate({
                view: 'trends',
                facet: f.value,
                ...(interval === 'month' ? { reason: 'month' } : {}),
              })
            }
          >
            {f.label}
          </button>
        ))}
      </div>
      <div role="radiogroup" aria-label="Interval" className="segmented">
        {(['week', 'month'] as const).map((value) => (
          <button
            key={value}
            type="button"
            role="radio"
            aria-checked={value === interval}
            onClick={() =>
              navigate({ view: 'trends', facet, ...(value === 'month' ? { reason: 'month' } : {}) })
            }
          >
            per {value}
          </button>
        ))}
      </div>
      <Async result={data} label="trends">
        {(trends) => (
          <>
            <section className="card" aria-label="Conversations over time">
              <h3>Conversations per {interval}</h3>
              <ColumnChart
                label={`Conversations per ${interval}`}
                points={trends.buckets.map((bucket) => ({
                  key: bucket.bucket,
                  label: bucket.bucket,
                  value: bucket.values.reduce((sum, value) => sum + value.conversations, 0),
                }))}
              />
            </section>
            <section className="card" aria-label="Trend table">
              <table data-testid="trend-table">
                <thead>
                  <tr>
                    <th scope="col">{interval === 'week' ? 'Week' : 'Month'}</th>
                    <th scope="col">{choices.find((f) => f.value === facet)!.label}</th>
                    <th scope="col">Conversations</th>
                    <th scope="col">People</th>
                  </tr>
                </thead>
                <tbody>
                  {trends.buckets.flatMap((bucket) =>
                    bucket.values.map((value) => (
                      <tr key={`${bucket.bucket}/${value.value}`}>
                        <td>{bucket.bucket}</td>
                        <td className={value.is_other ? 'muted' : undefined}>
                          {labelOf(value.value, value.is_other)}
                        </td>
                        <td>
                          <Approx value={value.conversations} noise={value.noise?.conversations} />
                        </td>
                        <td>
                          <Approx
                            value={value.distinct_users}
                            noise={value.noise?.distinct_users}
                          />
                        </td>
                      </tr>
                    )),
                  )}
                </tbody>
              </table>
            </section>
          </>
        )}
      </Async>
    </>
  );
}
