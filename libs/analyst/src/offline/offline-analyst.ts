/**
 * Offline mode: the parsed question is answered by calling the same tools the LLM agent calls,
 * through the same session, and the answer text is composed from their results only. The
 * grounding check then runs on it exactly as on a model's answer.
 */
import { trendDirection } from '../tools/analyst-tools';
import type { AnalystSession } from '../tools/analyst-session';
import type { Period } from '../tools/periods';
import {
  parseQuestion,
  type Entity,
  type Metric,
  type ParsedQuestion,
  type ParserVocabulary,
} from './question-parser';

export interface DraftAnswer {
  answer: string;
  abstained: boolean;
  reason: string | null;
  /** The sources the drafter cited for its numbers (the LLM's `figures`). */
  cited?: { value: number; tool: string }[];
}

const count = (value: number) => Math.round(value).toLocaleString('en-US');
const percent = (value: number) => `${(Math.round(value * 1000) / 10).toFixed(1)}%`;
const minutes = (value: number) => `${count(value)} minutes`;
const oneDecimal = (value: number) =>
  (Math.round(value * 10) / 10).toLocaleString('en-US', { maximumFractionDigits: 1 });

const METRIC_LABEL: Record<Metric, string> = {
  conversations: 'conversations',
  distinct_users: 'distinct users',
  minutes_saved: 'minutes saved',
  failure_rate: 'failure rate',
  resolution_rate: 'resolution rate',
};

type Output = Record<string, unknown>;
const num = (output: Output, key: string): number | null =>
  typeof output[key] === 'number' ? (output[key] as number) : null;

export async function vocabularyOf(session: AnalystSession): Promise<ParserVocabulary> {
  const data = session.data;
  const clusters = await data.clusters();
  const breakdowns = await data.breakdowns();
  const weeks = (data.overview.weekly ?? []).filter((row) => /^\d{4}-W\d{2}$/.test(row.value));
  return {
    facets: await data.breakdownFacets(),
    clusters: clusters
      .filter((c) => !c.isOther)
      .map((c) => ({ id: c.clusterId, name: c.name, level: c.level })),
    values: breakdowns
      .filter((row) => !row.isOther)
      .map((row) => ({ facet: row.facet, value: row.value })),
    ...(weeks.length
      ? {
          latestWeek: weeks
            .map((w) => w.value)
            .sort()
            .at(-1)!,
        }
      : {}),
    levels: data.overview.levels ?? new Set(clusters.map((c) => c.level)).size,
  };
}

export class OfflineAnalyst {
  constructor(private readonly session: AnalystSession) {}

  async answer(question: string): Promise<DraftAnswer> {
    const parsed = parseQuestion(question, await vocabularyOf(this.session));
    return this.answerParsed(parsed);
  }

  private async tool(name: string, args: unknown): Promise<Output | string> {
    const result = await this.session.call(name, args);
    return result.ok ? result.output : result.error;
  }

  /** What the published data does have, for an abstention (from describe_published_data). */
  private async whatIsPublished(): Promise<string> {
    const out = await this.tool('describe_published_data', {});
    if (typeof out === 'string') return '';
    const weeks = out['first_week']
      ? `weeks ${String(out['first_week'])} to ${String(out['latest_week'])}`
      : 'no single weeks';
    return `The published data has overall figures, ${weeks}, a cluster tree and breakdowns by ${(
      out['breakdown_facets'] as string[]
    )
      .map((facet) => facet.replace(/_/g, ' '))
      .join(', ')}.`;
  }

  private async hours(minutesValue: number): Promise<string> {
    const out = await this.tool('calculate', {
      operation: 'minutes_to_hours',
      values: [minutesValue],
    });
    return typeof out === 'string'
      ? minutes(minutesValue)
      : `${oneDecimal(out['hours'] as number)} hours`;
  }

  private async answerParsed(parsed: ParsedQuestion): Promise<DraftAnswer> {
    switch (parsed.shape) {
      case 'abstain':
        return abstain(`${parsed.reason}. ${await this.whatIsPublished()}`);
      case 'total':
        return this.total(parsed.metric, parsed.period, parsed.hours);
      case 'rank':
        return this.rank(parsed);
      case 'entity':
        return this.entity(parsed.entity, parsed.metric, parsed.hours);
      case 'trend':
        return this.trend(parsed.entity);
      case 'compare':
        return this.compare(parsed.current, parsed.previous, parsed.metric);
    }
  }

  private async total(metric: Metric | 'all', period: Period | undefined, hours: boolean) {
    const out = await this.tool('get_overview', period ? { period } : {});
    if (typeof out === 'string') return abstain(`the published data does not say: ${out}`);
    if (period) {
      const p = out['period'] as Output;
      if (p['conversations'] === null) {
        return abstain(`the published data does not say: ${String(p['note'])}`);
      }
      const span =
        p['from_week'] === p['to_week']
          ? `week ${String(p['from_week'])}`
          : `weeks ${String(p['from_week'])} to ${String(p['to_week'])}`;
      const caveat = p['complete']
        ? ''
        : ` (${String(p['note'] ?? 'some weeks are not published')})`;
      if (metric === 'distinct_users') {
        const week = (p['weeks'] as Output[])[0]!;
        return answered(
          `In ${span}, ${count(week['distinct_users'] as number)} distinct people used the assistant.`,
        );
      }
      const saved = hours
        ? await this.hours(p['minutes_saved'] as number)
        : minutes(p['minutes_saved'] as number);
      const parts =
        metric === 'minutes_saved'
          ? [`it saved ${saved}`]
          : metric === 'conversations'
            ? [`there were ${count(p['conversations'] as number)} conversations`]
            : [
                `there were ${count(p['conversations'] as number)} conversations`,
                `saving ${saved}`,
              ];
      return answered(`In ${span}, ${parts.join(', ')}${caveat}.`);
    }
    const sentences: string[] = [];
    const conversations = num(out, 'conversations');
    const users = num(out, 'distinct_users');
    const saved = out['minutes_saved'] as Output | null;
    if (conversations === null)
      return abstain('the published data does not say: the overview is withheld (too few people)');
    if (metric === 'conversations' || metric === 'all')
      sentences.push(
        `${count(conversations)} conversations were published in the latest snapshot.`,
      );
    if ((metric === 'distinct_users' || metric === 'all') && users !== null)
      sentences.push(`${count(users)} distinct people used the assistant.`);
    if ((metric === 'minutes_saved' || metric === 'all') && saved) {
      const total = saved['total'] as number;
      const shown = hours ? await this.hours(total) : minutes(total);
      sentences.push(
        `It saved ${shown} (90% interval ${count(saved['total_low'] as number)} to ${count(saved['total_high'] as number)} minutes).`,
      );
    }
    for (const key of ['resolution_rate', 'failure_rate'] as const) {
      const value = num(out, key);
      if ((metric === key || metric === 'all') && value !== null) {
        sentences.push(`The ${METRIC_LABEL[key]} is ${percent(value)}.`);
      }
    }
    if (sentences.length === 0)
      return abstain(
        `the published data does not say: no ${METRIC_LABEL[metric as Metric]} is published`,
      );
    return answered(sentences.join(' '));
  }

  private async rank(parsed: Extract<ParsedQuestion, { shape: 'rank' }>) {
    const facetRank = parsed.subject.kind === 'facet';
    const out = facetRank
      ? await this.tool('get_breakdown', {
          facet: (parsed.subject as { facet: string }).facet,
          sort_by: parsed.metric,
          order: parsed.order,
          limit: parsed.n,
        })
      : await this.tool('list_clusters', {
          level: (parsed.subject as { level: number }).level,
          sort_by: parsed.metric,
          order: parsed.order,
          limit: parsed.n,
        });
    if (typeof out === 'string') return abstain(`the published data does not say: ${out}`);
    const rows = (facetRank ? out['rows'] : out['clusters']) as Output[];
    if (rows.length === 0)
      return abstain('the published data does not say: nothing is published at this level');
    const what = facetRank
      ? `${String(out['facet']).replace(/_/g, ' ')} values`
      : `clusters at level ${String(out['level'])}`;
    const show = async (row: Output) => {
      const value = row[parsed.metric] as number;
      if (parsed.metric === 'failure_rate' || parsed.metric === 'resolution_rate')
        return `${percent(value)} ${METRIC_LABEL[parsed.metric]}`;
      if (parsed.metric === 'minutes_saved')
        return parsed.hours ? `${await this.hours(value)} saved` : `${minutes(value)} saved`;
      return `${count(value)} ${METRIC_LABEL[parsed.metric]}`;
    };
    const items: string[] = [];
    for (const row of rows)
      items.push(`"${String(row['name'] ?? row['value'])}" (${await show(row)})`);
    const rate = parsed.metric === 'failure_rate' || parsed.metric === 'resolution_rate';
    const direction =
      parsed.order === 'desc' ? (rate ? 'highest' : 'most') : rate ? 'lowest' : 'fewest';
    const head =
      rows.length === 1
        ? `Of ${count(out['total'] as number)} published ${what}, the one with the ${direction} ${METRIC_LABEL[parsed.metric]} is ${items[0]}.`
        : `Of ${count(out['total'] as number)} published ${what}, these have the ${direction} ${METRIC_LABEL[parsed.metric]}: ${items.join('; ')}.`;
    const pooledNote = out['pooled'] ? ' Pooled groups of small ones are not ranked.' : '';
    return answered(head + pooledNote);
  }

  private async entity(entity: Entity, metric: Metric | 'all', hours: boolean) {
    if (entity.kind === 'value') {
      const out = await this.tool('get_breakdown', { facet: entity.facet, limit: 50 });
      if (typeof out === 'string') return abstain(`the published data does not say: ${out}`);
      const row = (out['rows'] as Output[]).find((r) => r['value'] === entity.id);
      if (!row)
        return abstain(`the published data does not say: "${entity.name}" is not published alone`);
      if (metric === 'failure_rate' || metric === 'resolution_rate') {
        return abstain(
          `the published data does not say: ${METRIC_LABEL[metric]}s are published per cluster and overall, not per ${entity.facet!.replace(/_/g, ' ')}`,
        );
      }
      const saved = hours
        ? await this.hours(row['minutes_saved'] as number)
        : minutes(row['minutes_saved'] as number);
      const parts = {
        conversations: `${count(row['conversations'] as number)} conversations`,
        distinct_users: `${count(row['distinct_users'] as number)} distinct people`,
        minutes_saved: `${saved} saved`,
      };
      const chosen = metric === 'all' ? Object.values(parts).join(', ') : parts[metric];
      return answered(`${entity.facet!.replace(/_/g, ' ')} "${entity.name}": ${chosen}.`);
    }
    const out = await this.tool('get_cluster', { cluster_id: entity.id });
    if (typeof out === 'string') return abstain(`the published data does not say: ${out}`);
    const parts: string[] = [];
    if (metric === 'all' || metric === 'conversations')
      parts.push(`${count(out['conversations'] as number)} conversations`);
    if (metric === 'all' || metric === 'distinct_users')
      parts.push(`${count(out['distinct_users'] as number)} distinct people`);
    if (metric === 'all' || metric === 'minutes_saved') {
      parts.push(
        `${hours ? await this.hours(out['minutes_saved'] as number) : minutes(out['minutes_saved'] as number)} saved`,
      );
    }
    for (const key of ['failure_rate', 'resolution_rate'] as const) {
      const value = num(out, key);
      if (metric === 'all' || metric === key) {
        parts.push(
          value === null
            ? `no published ${METRIC_LABEL[key]}`
            : `a ${METRIC_LABEL[key]} of ${percent(value)}`,
        );
      }
    }
    const pooled = out['pooled'] ? ' (a pooled group of small clusters)' : '';
    return answered(
      `Cluster "${String(out['name'])}" (level ${String(out['level'])})${pooled}: ${parts.join(', ')}.`,
    );
  }

  private async trend(entity: Entity | undefined) {
    if (!entity) {
      const out = await this.tool('get_overview', {});
      if (typeof out === 'string') return abstain(`the published data does not say: ${out}`);
      const weeks = out['weekly'] as Output[];
      if (weeks.length < 3)
        return abstain('the published data does not say: fewer than three weeks are published');
      const direction = trendDirection(weeks.map((w) => w['conversations'] as number));
      const first = weeks[0]!;
      const last = weeks.at(-1)!;
      return answered(
        `Conversations per week are ${directionWord(direction)}: ${count(first['conversations'] as number)} in ${String(first['week'])}, ${count(last['conversations'] as number)} in ${String(last['week'])}.`,
      );
    }
    const facet = entity.kind === 'cluster' ? 'cluster' : entity.facet!;
    const out = await this.tool('get_trend', {
      facet,
      value: entity.kind === 'cluster' ? entity.id : entity.name,
      interval: 'week',
    });
    if (typeof out === 'string') return abstain(`the published data does not say: ${out}`);
    const series = (out['values'] as Output[])[0]!;
    const points = (series['series'] as Output[]).filter(
      (p) => typeof p['conversations'] === 'number',
    );
    if (points.length === 0)
      return abstain(
        `the published data does not say: "${entity.name}" has no published weekly figures`,
      );
    const direction = series['direction'] as string;
    if (direction === 'too_short')
      return abstain(
        `the published data does not say: "${entity.name}" is published alone in fewer than three weeks`,
      );
    const first = points[0]!;
    const last = points.at(-1)!;
    return answered(
      `"${entity.name}" is ${directionWord(direction)}: ${count(first['conversations'] as number)} conversations in ${String(first['bucket'])}, ${count(last['conversations'] as number)} in ${String(last['bucket'])}.`,
    );
  }

  private async compare(
    current: Period,
    previous: Period | undefined,
    metric: 'conversations' | 'minutes_saved',
  ) {
    const out = await this.tool('compare_periods', { current, ...(previous ? { previous } : {}) });
    if (typeof out === 'string') return abstain(`the published data does not say: ${out}`);
    const a = out['current'] as Output;
    const b = out['previous'] as Output;
    for (const side of [a, b]) {
      if (side[metric] === null) {
        return abstain(
          `the published data does not say: for ${String(side['from_week'])} to ${String(side['to_week'])}, ${String(side['note'])}`,
        );
      }
    }
    const show = (value: number) =>
      metric === 'minutes_saved' ? minutes(value) : `${count(value)} conversations`;
    const change = out[metric] as Output;
    const relative = change['relative_change'];
    const span = (side: Output) => `${String(side['from_week'])} to ${String(side['to_week'])}`;
    const caveat =
      a['complete'] && b['complete']
        ? ''
        : ' Some weeks are missing or pooled, so the sums are lower bounds.';
    return answered(
      `${span(a)}: ${show(a[metric] as number)}; ${span(b)}: ${show(b[metric] as number)}; difference ${oneDecimal(change['difference'] as number)}${
        typeof relative === 'number' ? ` (${relative >= 0 ? '+' : ''}${percent(relative)})` : ''
      }.${caveat}`,
    );
  }
}

function directionWord(direction: string): string {
  return direction === 'up' ? 'growing' : direction === 'down' ? 'declining' : 'flat';
}

function answered(answer: string): DraftAnswer {
  return { answer, abstained: false, reason: null };
}

function abstain(reason: string): DraftAnswer {
  return { answer: 'The published data does not say.', abstained: true, reason };
}
