import { api, type BudgetResponse, type Evidence, type SnapshotInfo } from '../api-client';
import { BarList } from '../charts';
import { Link } from '../router';
import { Async, fmt, Section, useApi } from '../ui';

const REASONS: Record<string, string> = {
  too_few_users: 'too few people',
  too_few_conversations: 'too few conversations',
  complementary: 'would let someone subtract to find a small group',
  pii_detected: 'contained personal data',
  auditor_score: 'judged too specific by the privacy auditor',
  empty: 'empty text',
};

/**
 * What kind of cell a scope is, in words. Scopes name no id or week (the evidence replaces those
 * segments with a star), so trailing stars are dropped first.
 */
function kindOf(scope: string): string {
  const kind = scope.replace(/(\/\*)+$/, '');
  if (/^cluster\/level-\d+$/.test(kind)) return 'Clusters';
  if (kind.endsWith('/goal')) return 'Goal statements';
  if (kind.startsWith('breakdown/')) return `Breakdown by ${kind.slice(10).replace(/_/g, ' ')}`;
  if (kind.startsWith('trend/')) return 'Trend points';
  if (kind.endsWith('/week')) return 'Weekly figures';
  if (kind.endsWith('/failure_impact')) return 'Failure impact figures';
  const detail = (kind.split('/').pop() ?? kind).replace(/_/g, ' ');
  if (kind.startsWith('overview/')) return `Overview figures (${detail})`;
  return `Figures inside clusters (${detail})`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${fmt(n)} ${n === 1 ? one : many}`;

/** The latest snapshot's evidence, or with `snapshot` (a report's link) that snapshot's. */
export function Privacy({ csrf, snapshot }: { csrf: string; snapshot?: string | undefined }) {
  const evidence = useApi(() => api.evidence(csrf, snapshot), [csrf, snapshot]);
  const budget = useApi(() => api.budget(csrf), [csrf]);
  return (
    <>
      <Async result={budget} label="privacy budget">
        {(data) => <BudgetView budget={data} />}
      </Async>
      <Async result={evidence} label="privacy evidence">
        {({ snapshot: shown, evidence: e }) => (
          <EvidenceView e={e} version={shown.version} pinned={snapshot ? shown : undefined} />
        )}
      </Async>
    </>
  );
}

const day = (iso: string) =>
  new Date(iso).toLocaleDateString('en', { day: 'numeric', month: 'long', year: 'numeric' });

/** This month's budget: the same figures as GET /v1/privacy/budget, and its ledger. */
function BudgetView({ budget }: { budget: BudgetResponse }) {
  if (budget.mode !== 'dp')
    return (
      <section className="card plain" aria-label="Privacy mode" data-testid="privacy-budget">
        <h2>Privacy mode: thresholds</h2>
        <p>
          This deployment publishes exact figures under k-thresholds only (threshold mode, set by
          the deployment). No differential-privacy budget applies.
        </p>
      </section>
    );
  const share = budget.epsilon_cap > 0 ? budget.epsilon_spent / budget.epsilon_cap : 0;
  const month = new Date(budget.period.start).toLocaleDateString('en', {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });
  return (
    <section className="card plain" aria-label="Privacy budget" data-testid="privacy-budget">
      <h2>Privacy budget, {month}</h2>
      <p>
        <strong>
          Everything published this month is (ε = {budget.epsilon_cap}, δ = {budget.delta})
          differentially private for each person:
        </strong>{' '}
        no figure, and no comparison between figures, reports or snapshots, reveals whether any one
        person used the assistant. Each publication spends part of the month’s ε.
      </p>
      <p data-testid="budget-spent">
        Spent ε = {fmt(budget.epsilon_spent, 2)} of {fmt(budget.epsilon_cap, 2)}; remaining ε ={' '}
        {fmt(budget.epsilon_remaining, 2)}. Publications follow a {budget.cadence} cadence.
      </p>
      <meter
        min={0}
        max={1}
        value={share}
        aria-label={`Budget spent: ${Math.round(share * 100)}%`}
      />
      {budget.resumes_at && (
        <p className="note" role="status" data-testid="budget-resumes">
          This month’s budget is spent: nothing new is published until {day(budget.resumes_at)}. The
          figures shown stay as last published.
        </p>
      )}
      <table className="table" data-testid="budget-ledger">
        <caption className="muted small">Publications this month</caption>
        <thead>
          <tr>
            <th scope="col">Published</th>
            <th scope="col">Kind</th>
            <th scope="col">Weeks released</th>
            <th scope="col" className="num">
              ε spent
            </th>
          </tr>
        </thead>
        <tbody>
          {budget.publications.map((publication) => (
            <tr key={publication.id}>
              <td>{new Date(publication.at).toLocaleString('en')}</td>
              <td>{publication.kind === 'requested' ? 'requested by an operator' : 'scheduled'}</td>
              <td>
                {publication.weeks
                  .map((week) => `${week.bucket}${week.final ? '' : ' (so far)'}`)
                  .join(', ')}
              </td>
              <td className="num">{fmt(publication.epsilon, 3)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function EvidenceView({
  e,
  version,
  pinned,
}: {
  e: Evidence;
  version: number;
  /** Set when a link asked for this snapshot rather than the latest. */
  pinned?: SnapshotInfo | undefined;
}) {
  const held = (matches: (scope: string) => boolean) =>
    e.suppressedByScope.filter((c) => matches(c.scope)).reduce((sum, c) => sum + c.cells, 0);
  const clustersPooled = held((scope) => /^cluster\/level-\d+$/.test(scope));
  const goalsHeld = held((scope) => scope.endsWith('/goal'));
  const breakdownHeld = held((scope) => scope.startsWith('breakdown/'));
  const byKind = new Map<string, { published: number; suppressed: number }>();
  for (const [scope, counts] of Object.entries(e.cells.byScope)) {
    const kind = kindOf(scope);
    const entry = byKind.get(kind) ?? { published: 0, suppressed: 0 };
    entry.published += counts.published;
    entry.suppressed += counts.suppressed;
    byKind.set(kind, entry);
  }
  const kinds = [...byKind].sort(
    (a, b) => b[1].suppressed - a[1].suppressed || (a[0] < b[0] ? -1 : 1),
  );
  return (
    <>
      <h2>Privacy evidence</h2>
      {pinned && (
        <p className="card note" role="note" data-testid="privacy-snapshot">
          Showing the evidence of snapshot version {pinned.version}, published{' '}
          {new Date(pinned.published_at).toLocaleString('en')}: the snapshot a report was built
          from. <Link to={{ view: 'privacy' }}>Show the latest snapshot instead</Link>
        </p>
      )}
      <section className="card plain" aria-label="Summary" data-testid="privacy-summary">
        <p>
          <strong>
            Groups smaller than {e.thresholds.kUsers} people or {e.thresholds.minConversations}{' '}
            conversations are never shown.
          </strong>{' '}
          Nobody, including your admins and the people who run Silhouette, can read a conversation:
          this dashboard only ever receives counts and group names.
        </p>
        <p>
          In this snapshot (version {version}) {plural(e.cells.published, 'figure')} passed these
          checks and {plural(e.cells.suppressed, 'figure was', 'figures were')} held back.{' '}
          {clustersPooled > 0
            ? `${plural(clustersPooled, 'cluster was', 'clusters were')} pooled into "Other" because each was too small on its own. `
            : 'No cluster had to be pooled into "Other". '}
          {breakdownHeld > 0 &&
            `${plural(breakdownHeld, 'value')} in the team, department, language, domain, task and outcome breakdowns ${breakdownHeld === 1 ? 'was' : 'were'} pooled for the same reason. `}
          {goalsHeld > 0 &&
            `${plural(goalsHeld, 'goal statement was', 'goal statements were')} not shared by enough people and ${goalsHeld === 1 ? 'was' : 'were'} left out.`}
        </p>
        <p>
          Every name, description, goal and every value shown in a breakdown (a team, a language, a
          tag) was checked for personal data (emails, phone numbers, card numbers, IBANs, IP
          addresses, ids, secrets, names): {plural(e.textGate.checked, 'text')} checked,{' '}
          {plural(e.textGate.rejected, 'text')} rejected (a name replaced, a value pooled into
          &quot;Other&quot;).{' '}
          {e.auditor
            ? `A privacy auditor model (${e.auditor.model}) also scored every text; only texts it judged fully general were published.`
            : 'No LLM privacy auditor ran for this snapshot (offline mode): the deterministic personal-data detector above is the text check.'}
        </p>
      </section>
      <div className="grid">
        <Section title="Why figures were held back">
          <BarList
            label="Held-back figures by reason"
            bars={Object.entries(e.cells.byReason)
              .filter(([, n]) => n > 0)
              .map(([reason, n]) => ({ key: reason, label: REASONS[reason] ?? reason, value: n }))}
          />
          {Object.values(e.textGate.byReason).some((n) => n > 0) && (
            <>
              <h4>Texts rejected</h4>
              <BarList
                label="Rejected texts by reason"
                bars={Object.entries(e.textGate.byReason)
                  .filter(([, n]) => n > 0)
                  .map(([reason, n]) => ({
                    key: reason,
                    label: REASONS[reason] ?? reason,
                    value: n,
                  }))}
              />
            </>
          )}
        </Section>
        {e.differentialPrivacy && (
          <Section title="Differential privacy of this snapshot">
            <dl className="pairs" data-testid="dp-evidence">
              <dt>Mechanism</dt>
              <dd>{e.differentialPrivacy.mechanism}</dd>
              <dt>This publication</dt>
              <dd>
                ε {fmt(e.differentialPrivacy.publication.epsilon, 3)} (ρ{' '}
                {fmt(e.differentialPrivacy.publication.rho, 4)}), weeks{' '}
                {e.differentialPrivacy.publication.weeks.map((w) => w.bucket).join(', ')}
              </dd>
              <dt>Per person and week</dt>
              <dd>
                at most {e.differentialPrivacy.bounds.maxConversations} conversations,{' '}
                {e.differentialPrivacy.bounds.maxMinutesPerConversation} minutes per conversation
                and {e.differentialPrivacy.bounds.maxMinutesPerPerson} minutes in all count
              </dd>
            </dl>
          </Section>
        )}
        <Section title="Models that produced the texts">
          <dl className="pairs">
            <dt>Tagger</dt>
            <dd>
              {e.models.tagger} (prompt {e.models.taggerPromptVersion})
            </dd>
            <dt>Embedder</dt>
            <dd>{e.models.embedder}</dd>
            <dt>Namer</dt>
            <dd>{e.models.namer ?? '—'}</dd>
            <dt>Auditor</dt>
            <dd>
              {e.auditor
                ? `${e.auditor.model} (prompt ${e.auditor.promptVersion})`
                : 'none (offline)'}
            </dd>
            <dt>Evidence recorded</dt>
            <dd>{new Date(e.generatedAt).toLocaleString('en')}</dd>
          </dl>
        </Section>
      </div>
      <Section title="Shown and held back, by kind of figure">
        <table className="table" data-testid="privacy-table">
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col" className="num">
                Shown
              </th>
              <th scope="col" className="num">
                Held back
              </th>
            </tr>
          </thead>
          <tbody>
            {kinds.map(([kind, counts]) => (
              <tr key={kind}>
                <td>{kind}</td>
                <td className="num">{fmt(counts.published)}</td>
                <td className="num">{fmt(counts.suppressed)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
    </>
  );
}
