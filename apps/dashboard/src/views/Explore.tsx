import { useState } from 'react';
import { api, type ClusterDetail as Detail, type ClusterSummary } from '../api-client';
import { ClusterMap, FailureLegend, Treemap } from '../charts';
import { Link, navigate, type Route } from '../router';
import { Approx, Async, fmt, minutes, pct, useApi } from '../ui';
import { ClusterDetail } from './ClusterDetail';

export function Breadcrumb({
  path,
  current,
}: {
  path: { id: string; name: string }[];
  current?: string;
}) {
  return (
    <nav aria-label="Breadcrumb" className="breadcrumb">
      <ol>
        <li>
          <Link to={{ view: 'explore' }}>All clusters</Link>
        </li>
        {path.map((step) => (
          <li key={step.id}>
            <Link to={{ view: 'explore', node: step.id }}>{step.name}</Link>
          </li>
        ))}
        {current && (
          <li>
            <span aria-current="page">{current}</span>
          </li>
        )}
      </ol>
    </nav>
  );
}

export function Explore({ csrf, route, kUsers }: { csrf: string; route: Route; kUsers: number }) {
  if (route.cluster) return <ClusterDetail csrf={csrf} id={route.cluster} kUsers={kUsers} />;
  return <Level csrf={csrf} route={route} kUsers={kUsers} />;
}

function Level({ csrf, route, kUsers }: { csrf: string; route: Route; kUsers: number }) {
  const node = route.node;
  const children = useApi(() => api.clusters(csrf, node), [csrf, node]);
  // Further pages of a long list (the API pages large levels), kept per node.
  const [more, setMore] = useState<{
    node?: string;
    clusters: ClusterSummary[];
    cursor: string | null;
  }>();
  const [loadingMore, setLoadingMore] = useState(false);
  const extra = more && more.node === node ? more : undefined;
  async function loadMore(cursor: string) {
    setLoadingMore(true);
    try {
      const page = await api.clusters(csrf, node, cursor);
      setMore({
        node,
        clusters: [...(extra?.clusters ?? []), ...page.clusters],
        cursor: page.next_cursor,
      });
    } finally {
      setLoadingMore(false);
    }
  }
  const detail = useApi<Detail | undefined>(
    () => (node ? api.cluster(csrf, node) : Promise.resolve(undefined)),
    [csrf, node],
  );

  return (
    <Async result={detail} label="cluster">
      {(current) => (
        <Async result={children} label="clusters">
          {({ clusters: firstPage, next_cursor, total }) => {
            const clusters = [...firstPage, ...(extra?.clusters ?? [])];
            const nextCursor = extra ? extra.cursor : next_cursor;
            if (current && clusters.length === 0)
              // A base cluster: nothing below it, show its detail.
              return <ClusterDetail csrf={csrf} id={current.id} kUsers={kUsers} />;
            const query = (route.q ?? '').trim().toLowerCase();
            const shown = clusters
              .filter(
                (cluster) =>
                  !query ||
                  cluster.name.toLowerCase().includes(query) ||
                  cluster.keywords.some((keyword) => keyword.toLowerCase().includes(query)),
              )
              .sort((a, b) => b.conversations - a.conversations);
            const path = current ? current.path : [];
            return (
              <>
                <Breadcrumb path={path} current={current?.name} />
                <div className="row">
                  <h2>{current ? current.name : 'All clusters'}</h2>
                  {current && (
                    <Link to={{ view: 'explore', cluster: current.id }} className="button">
                      Details of {current.name}
                    </Link>
                  )}
                </div>
                <p className="muted">
                  {current
                    ? `${fmt(current.conversations)} conversations by ${fmt(current.distinct_users)} people, in ${fmt(total)} groups.`
                    : `The ${fmt(total)} top-level groups of conversations. Click a group to drill down.`}{' '}
                  Area = conversations.
                </p>
                <section className="card" aria-label="Treemap">
                  <Treemap
                    label={`Groups in ${current?.name ?? 'all clusters'}, sized by conversations`}
                    items={shown.map((cluster) => ({
                      id: cluster.id,
                      name: cluster.name,
                      value: cluster.conversations,
                      failureRate: cluster.failure_rate,
                      other: cluster.is_other,
                    }))}
                    onOpen={(item) => navigate({ view: 'explore', node: item.id })}
                  />
                  <FailureLegend />
                </section>
                <section className="card" aria-label="Cluster map">
                  <h3>Map</h3>
                  <p className="muted">
                    Nearby groups are similar topics (principal axes of the cluster centroids).
                  </p>
                  <ClusterMap
                    label={`Map of the groups in ${current?.name ?? 'all clusters'}`}
                    items={shown
                      .filter((cluster) => cluster.map)
                      .map((cluster) => ({
                        id: cluster.id,
                        name: cluster.name,
                        value: cluster.conversations,
                        failureRate: cluster.failure_rate,
                        x: cluster.map!.x,
                        y: cluster.map!.y,
                      }))}
                    onOpen={(id) => navigate({ view: 'explore', node: id })}
                  />
                </section>
                <section className="card" aria-label="Cluster list">
                  <div className="row filters">
                    <label htmlFor="cluster-search">Search by name or keyword</label>
                    <input
                      id="cluster-search"
                      type="search"
                      value={route.q ?? ''}
                      placeholder="e.g. travel"
                      onChange={(event) =>
                        navigate(
                          { ...route, q: event.target.value || undefined },
                          { replace: true },
                        )
                      }
                    />
                  </div>
                  <ClusterList
                    clusters={shown}
                    ancestors={path.length + (current ? 1 : 0)}
                    empty={
                      query ? `No group here has "${route.q}" in its name.` : 'No groups here.'
                    }
                  />
                  {nextCursor && (
                    <button
                      type="button"
                      disabled={loadingMore}
                      onClick={() => void loadMore(nextCursor)}
                      data-testid="load-more-clusters"
                    >
                      {loadingMore
                        ? 'Loading…'
                        : `Show more groups (${fmt(clusters.length)} of ${fmt(total)} shown)`}
                    </button>
                  )}
                </section>
              </>
            );
          }}
        </Async>
      )}
    </Async>
  );
}

function ClusterList({
  clusters,
  ancestors,
  empty,
}: {
  clusters: ClusterSummary[];
  ancestors: number;
  empty: string;
}) {
  if (clusters.length === 0) return <p className="muted">{empty}</p>;
  return (
    <table className="table" data-testid="cluster-list">
      <thead>
        <tr>
          <th scope="col">Group (level {ancestors + 1})</th>
          <th scope="col" className="num">
            Conversations
          </th>
          <th scope="col" className="num">
            People
          </th>
          <th scope="col" className="num">
            Minutes saved
          </th>
          <th scope="col" className="num">
            Failure rate
          </th>
          <th scope="col">
            <span className="sr-only">Details</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {clusters.map((cluster) => (
          <tr key={cluster.id}>
            <td style={{ paddingLeft: `${0.5 + ancestors * 1}rem` }}>
              <button
                type="button"
                className="linklike"
                onClick={() => navigate({ view: 'explore', node: cluster.id })}
              >
                {cluster.name}
              </button>
              {cluster.is_other && <span className="muted small"> (pooled small groups)</span>}
              {cluster.keywords.length > 0 && (
                <div className="muted small keywords" data-testid="cluster-keywords">
                  {cluster.keywords.join(', ')}
                </div>
              )}
            </td>
            <td className="num">
              <Approx value={cluster.conversations} noise={cluster.noise?.conversations} />
            </td>
            <td className="num">
              <Approx value={cluster.distinct_users} noise={cluster.noise?.distinct_users} />
            </td>
            <td className="num">
              <Approx
                value={cluster.minutes_saved}
                noise={cluster.noise?.minutes_saved}
                format={(v) => minutes(v)}
              />
            </td>
            <td className="num">{pct(cluster.failure_rate)}</td>
            <td>
              <Link
                to={{ view: 'explore', cluster: cluster.id }}
                label={`Details of ${cluster.name}`}
              >
                Details
              </Link>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
