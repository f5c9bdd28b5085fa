/**
 * Read access to one tenant's latest published snapshot, through the same repository as the
 * insights API (`insights` schema only: everything here already passed the privacy gates). One
 * instance serves one question, so every tool call in a conversation reads the same snapshot.
 */
import {
  overviewFiguresSchema,
  TREND_FACETS,
  type ClusterMetrics,
  type OverviewFigures,
  type TenantEvidence,
} from '@silhouette/contracts';
import {
  InsightsRepository,
  type PublishedBreakdownRow,
  type PublishedCluster,
  type PublishedTrendRow,
  type Queryable,
  type SnapshotSummary,
} from '@silhouette/db';
import { tenantEvidenceView, type PrivacyEvidence } from '@silhouette/privacy';

export class NoSnapshotError extends Error {
  readonly code = 'no_snapshot';
  constructor() {
    super(
      'nothing has been published for this tenant yet: conversations are still being processed',
    );
  }
}

export class PublishedInsights {
  private readonly repository: InsightsRepository;
  private clustersCache: PublishedCluster[] | undefined;
  private breakdownCache: PublishedBreakdownRow[] | undefined;
  private readonly trendCache = new Map<string, PublishedTrendRow[]>();
  private trendFacetCache: { facet: string; interval: string }[] | undefined;

  private constructor(
    db: Queryable,
    readonly tenantId: string,
    readonly snapshot: SnapshotSummary,
    readonly overview: OverviewFigures,
  ) {
    this.repository = new InsightsRepository(db);
  }

  /** The tenant's latest snapshot; `NoSnapshotError` when nothing is published yet. */
  static async open(db: Queryable, tenantId: string): Promise<PublishedInsights> {
    const snapshot = await new InsightsRepository(db).latest(tenantId);
    if (!snapshot) throw new NoSnapshotError();
    // Loose: fields added by later publications (e.g. noise intervals) pass through untouched.
    const overview = overviewFiguresSchema.loose().parse(snapshot.overview) as OverviewFigures;
    return new PublishedInsights(db, tenantId, snapshot, overview);
  }

  get snapshotId(): string {
    return this.snapshot.id;
  }

  evidence(): TenantEvidence {
    return tenantEvidenceView(this.snapshot.evidence as unknown as PrivacyEvidence);
  }

  /** The whole published tree (cached: a question usually touches several levels). */
  async clusters(): Promise<PublishedCluster[]> {
    this.clustersCache ??= await this.repository.clusters(this.tenantId, this.snapshot.id);
    return this.clustersCache;
  }

  async cluster(id: string): Promise<PublishedCluster | undefined> {
    return (await this.clusters()).find((cluster) => cluster.clusterId === id);
  }

  async breakdowns(): Promise<PublishedBreakdownRow[]> {
    this.breakdownCache ??= await this.repository.breakdowns(this.tenantId, this.snapshot.id);
    return this.breakdownCache;
  }

  /** Facets this snapshot publishes breakdowns for (new facets appear without code changes). */
  async breakdownFacets(): Promise<string[]> {
    return [...new Set((await this.breakdowns()).map((row) => row.facet))].sort();
  }

  /**
   * Facet and interval pairs this snapshot publishes trends for, among those the insights API
   * serves (`TREND_FACETS`): the series kept for reports only (teams, outcomes by week) stay out,
   * so the analyst shows a read key nothing the insights API does not.
   */
  async trendFacets(): Promise<{ facet: string; interval: string }[]> {
    this.trendFacetCache ??= (
      await this.repository.trendSeries(this.tenantId, this.snapshot.id)
    ).filter((series) => (TREND_FACETS as readonly string[]).includes(series.facet));
    return this.trendFacetCache;
  }

  async trends(facet: string, interval: 'week' | 'month'): Promise<PublishedTrendRow[]> {
    const key = `${facet}/${interval}`;
    let rows = this.trendCache.get(key);
    if (!rows) {
      rows = await this.repository.trends(this.tenantId, this.snapshot.id, facet, interval);
      this.trendCache.set(key, rows);
    }
    return rows;
  }
}

/** The snapshot's JSON metrics of a cluster, typed as the publisher writes them. */
export const clusterMetricsOf = (cluster: PublishedCluster) =>
  cluster.metrics as unknown as Partial<ClusterMetrics>;
