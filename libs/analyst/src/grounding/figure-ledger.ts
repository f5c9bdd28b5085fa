/**
 * Every number a tool returned in one conversation, with where it came from. The grounding check
 * accepts a number in an answer only when it matches one of these (after rounding as displayed),
 * and the calculator accepts only these as inputs. Labels and links are derived from the shape of
 * the tool output, so a new field or facet needs no registration here.
 */
import type { AskFigure, FigureLink } from '@silhouette/contracts';

export interface LedgerFigure {
  value: number;
  label: string;
  /** The field that held it (`conversations`, `failure_rate`, …): decides percent display. */
  field: string;
  tool: string;
  snapshotId: string | null;
  interval: { low: number; high: number } | null;
  link: FigureLink | null;
}

/** How a tool's figures are titled in labels (`Overview: conversations`). */
const TOOL_TITLES: Record<string, string> = {
  describe_published_data: 'Published data',
  get_overview: 'Overview',
  search_clusters: 'Clusters',
  get_cluster: 'Cluster',
  list_clusters: 'Clusters',
  get_breakdown: 'Breakdown',
  get_trend: 'Trend',
  get_failures: 'Failures',
  compare_periods: 'Periods',
};

/** Fields whose values are shares in [0, 1], shown as percentages. */
const RATE_FIELD = /(_rate|^rate|share|_change|^change|ratio)$/;

export function isRateField(field: string): boolean {
  return RATE_FIELD.test(field);
}

export class FigureLedger {
  private readonly figures: LedgerFigure[] = [];
  /** Published strings (names, values, labels): text an answer may quote verbatim. */
  private readonly texts = new Set<string>();

  get all(): readonly LedgerFigure[] {
    return this.figures;
  }

  get publishedTexts(): ReadonlySet<string> {
    return this.texts;
  }

  add(figure: LedgerFigure): void {
    this.figures.push(figure);
  }

  /** Records every number and string of a tool's JSON output. */
  addToolOutput(
    tool: string,
    output: unknown,
    snapshotId: string | null,
    defaultLink: FigureLink | null,
  ): void {
    this.walk(tool, output, snapshotId, defaultLink, [], '');
  }

  /** The recorded figure with exactly this value, preferring one from `tool`. */
  find(value: number, tool?: string): LedgerFigure | undefined {
    const same = this.figures.filter((f) => f.value === value);
    return same.find((f) => f.tool === tool) ?? same[0];
  }

  toAskFigure(figure: LedgerFigure, shown: string): AskFigure {
    return {
      value: figure.value,
      shown,
      label: figure.label,
      tool: figure.tool,
      snapshot_id: figure.snapshotId,
      interval: figure.interval,
      link: figure.link,
    };
  }

  private walk(
    tool: string,
    node: unknown,
    snapshotId: string | null,
    link: FigureLink | null,
    context: string[],
    field: string,
  ): void {
    if (typeof node === 'string') {
      if (node.length > 0 && field !== 'snapshot_id' && !field.endsWith('_id')) {
        this.texts.add(node);
      }
      return;
    }
    if (typeof node === 'number') {
      if (!Number.isFinite(node)) return;
      this.figures.push({
        value: node,
        label: [TOOL_TITLES[tool] ?? tool, ...context, field.replace(/_/g, ' ')]
          .filter(Boolean)
          .join(': '),
        field,
        tool,
        snapshotId,
        interval: null,
        link,
      });
      return;
    }
    if (Array.isArray(node)) {
      for (const item of node) this.walk(tool, item, snapshotId, link, context, field);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    // dp publications: `noise: {conversations: {low, high}, …}` bounds the row's own figures.
    const noise = record['noise'];
    const noiseOf = (key: string) =>
      typeof noise === 'object' &&
      noise !== null &&
      isInterval((noise as Record<string, unknown>)[key])
        ? ((noise as Record<string, unknown>)[key] as { low: number; high: number })
        : undefined;
    const here = describe(record);
    const nextContext = here ? [...context, here] : field ? [...context, field] : context;
    const nextLink = linkOf(record, link);
    for (const [key, value] of Object.entries(record)) {
      if (key === 'noise') continue; // intervals, attached below to the figures they bound
      if (key.endsWith('_low') || key.endsWith('_high')) {
        this.walk(tool, value, snapshotId, nextLink, nextContext, key);
        continue;
      }
      const before = this.figures.length;
      this.walk(tool, value, snapshotId, nextLink, nextContext, key);
      // A published interval beside the value (`total` with `total_low`/`total_high`).
      const low = record[`${key}_low`];
      const high = record[`${key}_high`];
      if (typeof value === 'number' && typeof low === 'number' && typeof high === 'number') {
        const figure = this.figures[before];
        if (figure) figure.interval = { low, high };
      }
      const noisy = typeof value === 'number' ? noiseOf(key) : undefined;
      const figure = this.figures[before];
      if (noisy && figure) {
        figure.interval = noisy;
        // The bounds are published too: an answer may quote them.
        for (const [bound, boundValue] of [
          ['low', noisy.low],
          ['high', noisy.high],
        ] as const) {
          this.figures.push({
            ...figure,
            value: boundValue,
            label: `${figure.label} (90% interval ${bound})`,
            field: `${key}_${bound}`,
            interval: null,
          });
        }
      }
      const interval = record['interval'];
      if (
        typeof value === 'number' &&
        key === 'value' &&
        isInterval(interval) &&
        this.figures[before]
      ) {
        this.figures[before]!.interval = interval;
      }
    }
  }
}

function isInterval(value: unknown): value is { low: number; high: number } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { low?: unknown }).low === 'number' &&
    typeof (value as { high?: unknown }).high === 'number'
  );
}

/** A short description of a row: the cluster's name, the facet value, the bucket. */
function describe(record: Record<string, unknown>): string | undefined {
  if (typeof record['name'] === 'string' && typeof record['cluster_id'] === 'string') {
    return `cluster "${record['name']}"`;
  }
  for (const key of ['week', 'bucket', 'period']) {
    if (typeof record[key] === 'string') return `${key} ${record[key]}`;
  }
  if (typeof record['value'] === 'string') {
    return typeof record['facet'] === 'string'
      ? `${record['facet']} "${record['value']}"`
      : `"${record['value']}"`;
  }
  if (typeof record['from'] === 'string' && typeof record['to'] === 'string') {
    return `${record['from']} to ${record['to']}`;
  }
  return undefined;
}

function linkOf(record: Record<string, unknown>, inherited: FigureLink | null): FigureLink | null {
  if (typeof record['cluster_id'] === 'string') {
    return { view: 'explore', cluster: record['cluster_id'] };
  }
  return inherited;
}
