import { api, type Facet } from '../api-client';
import { facetsApi } from '../facets-client';
import { BarList } from '../charts';
import { navigate, type Route } from '../router';
import { Approx, Async, fmt, humanize, minutes, Section, useApi } from '../ui';
import { IssuesMap } from './IssuesMap';

const FACETS: { value: Facet; label: string }[] = [
  { value: 'team', label: 'Team' },
  { value: 'department', label: 'Department' },
  { value: 'language', label: 'Language' },
  { value: 'domain', label: 'Domain' },
  { value: 'task_type', label: 'Task type' },
  { value: 'outcome', label: 'Outcome' },
];

export function Breakdowns({
  csrf,
  route,
  kUsers,
}: {
  csrf: string;
  route: Route;
  kUsers: number;
}) {
  // Custom facets (issue #15) join the built-in ones; a short-text one is shown as its map.
  const published = useApi(() => facetsApi.published(csrf), [csrf]);
  const custom =
    published.state === 'ok'
      ? published.data.facets.map((f) => ({
          value: `custom:${f.key}` as Facet,
          label: f.question,
          type: f.type,
        }))
      : [];
  const choices: { value: Facet; label: string; type?: string }[] = [...FACETS, ...custom];
  const facet = (choices.find((f) => f.value === route.facet) ?? FACETS[0]!).value;
  const chosen = choices.find((f) => f.value === facet)!;
  const asMap = chosen.type === 'short_text';
  const data = useApi(
    () => (asMap ? Promise.resolve(undefined) : api.breakdown(csrf, facet)),
    [csrf, facet, asMap],
  );
  const k = data.state === 'ok' && data.data ? (data.data.k_users ?? kUsers) : kUsers;
  const otherLabel = `Other (pooled: includes groups under ${k} people)`;
  return (
    <>
      <h2>Breakdowns</h2>
      <div role="radiogroup" aria-label="Break down by" className="segmented">
        {choices.map((f) => (
          <button
            key={f.value}
            type="button"
            role="radio"
            aria-checked={f.value === facet}
            onClick={() => navigate({ view: 'breakdowns', facet: f.value })}
          >
            {f.label}
          </button>
        ))}
      </div>
      {chosen.type && published.state === 'ok' && (
        <p className="muted small" data-testid="custom-facet-note">
          A custom facet: your organisation's own question, asked of every conversation.
          {published.data.note && ` ${published.data.note}`}
        </p>
      )}
      {asMap && (
        <IssuesMap
          csrf={csrf}
          name={facet}
          title={`Answers grouped: ${chosen.label}`}
          note="Short answers (at most 8 words) grouped in two levels like the issues map. Only groups with enough people are shown, never a single answer."
          otherLabel="Other answers"
        />
      )}
      <Async result={data} label="breakdown">
        {(loaded) => {
          if (!loaded) return null;
          const { rows } = loaded;
          const sorted = rows
            .slice()
            .sort(
              (a, b) =>
                Number(a.is_other) - Number(b.is_other) || b.conversations - a.conversations,
            );
          const label = (row: (typeof rows)[number]) =>
            row.is_other
              ? otherLabel
              : row.value === '(not set)'
                ? chosen.type
                  ? 'Not answered'
                  : 'Not set'
                : facet === 'outcome'
                  ? humanize(row.value)
                  : row.value;
          const other = rows.find((row) => row.is_other);
          return (
            <>
              <Section
                title={
                  chosen.type
                    ? `Conversations by answer: ${chosen.label}`
                    : `Conversations by ${chosen.label.toLowerCase()}`
                }
                note={
                  other
                    ? `Values used by fewer than ${k} people are never shown on their own: together they form "${otherLabel}", ${fmt(other.conversations)} conversations.`
                    : `Every value shown is used by at least ${k} people.`
                }
              >
                <BarList
                  label="Conversations per value"
                  testId="breakdown-chart"
                  bars={sorted.map((row) => ({
                    key: row.value,
                    label: label(row),
                    value: row.conversations,
                    note: `${fmt(row.distinct_users)} people`,
                    other: row.is_other,
                  }))}
                />
              </Section>
              <Section title="Table">
                {rows.length === 0 ? (
                  <p className="muted">No value is shared by enough people to be shown.</p>
                ) : (
                  <table className="table" data-testid="breakdown-table">
                    <thead>
                      <tr>
                        <th scope="col">Value</th>
                        <th scope="col" className="num">
                          Conversations
                        </th>
                        <th scope="col" className="num">
                          People
                        </th>
                        <th scope="col" className="num">
                          Minutes saved
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {sorted.map((row) => (
                        <tr key={row.value} className={row.is_other ? 'other' : undefined}>
                          <td>{label(row)}</td>
                          <td className="num">
                            <Approx value={row.conversations} noise={row.noise?.conversations} />
                          </td>
                          <td className="num">
                            <Approx value={row.distinct_users} noise={row.noise?.distinct_users} />
                          </td>
                          <td className="num">
                            <Approx
                              value={row.minutes_saved}
                              noise={row.noise?.minutes_saved}
                              format={(v) => minutes(v)}
                            />
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
    </>
  );
}
