/**
 * Cost control and sampling on the overview (issue #15, items 4 and 5): this month's LLM spend
 * and its cost per 1,000 conversations next to Clio's published figure, the budgets, a banner
 * while tagging is paused for budget, and a note when figures are estimates from a sample.
 */
import type { OverviewResponse } from '@silhouette/contracts/insights';
import { costApi } from '../alerts-client';
import { Async, fmt, Section, useApi } from '../ui';

const usd = (value: number | null | undefined, digits = 2) =>
  value === null || value === undefined
    ? '—'
    : `$${value.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: Math.max(digits, 4) })}`;

/** Says that the figures on screen are estimates from a sample, and how they were scaled. */
export function SampleNote({ sample }: { sample: OverviewResponse['sample'] }) {
  if (!sample) return null;
  return (
    <p className="card banner" role="note" data-testid="sample-note">
      <strong>Estimates from a {Math.round(sample.rate * 100)}% sample.</strong>{' '}
      {sample.sampled !== undefined && sample.population !== undefined
        ? `${fmt(sample.sampled)} of ${fmt(sample.population)} conversations were tagged; counts`
        : 'Counts'}{' '}
      and minutes are scaled ×{fmt(sample.factor, 2)} and shown with 90% intervals
      {sample.sampled === undefined ? ' (sampling and privacy noise together)' : ''}. People are
      those seen in the sample.
    </p>
  );
}

export function CostPanel({ csrf }: { csrf: string }) {
  const cost = useApi(() => costApi.cost(csrf), [csrf]);
  return (
    <Async result={cost} label="LLM cost">
      {(data) => (
        <>
          {data.tagging === 'paused_budget' && (
            <div className="card banner warn" role="status" data-testid="budget-paused">
              <h3>Tagging is paused: the monthly LLM budget is reached</h3>
              <p>
                {fmt(data.paused_conversations)} conversations are waiting, nothing is lost. Tagging
                resumes
                {data.resumes_at
                  ? ` on ${new Date(data.resumes_at).toLocaleDateString('en', { timeZone: 'UTC' })}`
                  : ' next month'}
                , or as soon as an admin raises the budget.
              </p>
            </div>
          )}
          <Section
            title="LLM cost this month"
            note={`Model calls for tagging, naming and auditing in ${data.month} (UTC).`}
          >
            <dl className="tiles compact" aria-label="LLM cost">
              <div>
                <dt>Spent</dt>
                <dd data-testid="cost-spent">{usd(data.spend.usd)}</dd>
              </div>
              <div>
                <dt>Per 1,000 conversations</dt>
                <dd data-testid="cost-per-1000">{usd(data.spend.usd_per_1000_conversations)}</dd>
                <dd className="note">
                  {data.reference.name}: {usd(data.reference.usd_per_1000_conversations)}
                </dd>
              </div>
              <div>
                <dt>Conversations tagged by a model</dt>
                <dd>{fmt(data.spend.tagged_conversations)}</dd>
              </div>
              <div>
                <dt>Monthly budget</dt>
                <dd data-testid="cost-budget">
                  {data.budget.tenant.limit_usd === null
                    ? 'none set'
                    : `${usd(data.spend.usd)} of ${usd(data.budget.tenant.limit_usd)}`}
                </dd>
                {data.budget.deployment.reached && (
                  <dd className="note">the deployment's budget is reached</dd>
                )}
              </div>
              {data.sample_rate < 1 && (
                <div>
                  <dt>Sample</dt>
                  <dd>{Math.round(data.sample_rate * 100)}% tagged</dd>
                  <dd className="note">{fmt(data.not_sampled_conversations)} left out</dd>
                </div>
              )}
            </dl>
          </Section>
        </>
      )}
    </Async>
  );
}
