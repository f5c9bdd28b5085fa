/**
 * Read access to one tenant's latest published snapshot, through the same repository as the
 * insights API (`insights` schema only: everything here already passed the privacy gates). One
 * instance serves one question, so every tool call in a conversation reads the same snapshot.
 */
import {
  overviewFiguresSchema,
  trendFacetSchema,
  type ClusterMetrics,
  type OverviewFigures,
  type TenantEvidence,
} from '@silhouette/contracts';
import {
  InsightsRepository,
  type PublishedBreakdownRow,
  type PublishedCluster,
  type PublishedClusterFigures,
  type PublishedClusterName,
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

/**
 * Names and places of a snapshot's clusters, by snapshot id. Snapshots never change once
 * published, so an index stays valid; a few are kept (a large tree's index is a few MB).
 */
const NAME_INDEXES = new Map<string, Promise<PublishedClusterName[]>>();
const NAME_INDEXES_KEPT = 8;

export class PublishedInsights {
  private readonly repository: InsightsRepository;
  private breakdownCache: PublishedBreakdownRow[] | undefined;
  private readonly trendCache = new Map<string, PublishedTrendRow[]>();
  private readonly levelCache = new Map<number, PublishedCluster[]>();
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

  /**
   * The privacy mode that produced this snapshot's figures: `dp` publications add noise to every
   * count (the dashboard shows them with ≈), threshold ones publish exact counts.
   */
  get privacyMode(): 'dp' | 'threshold' {
    const privacy = (this.overview as { privacy?: { mode?: unknown } }).privacy;
    return privacy?.mode === 'dp' ? 'dp' : 'threshold';
  }

  /** Whether published counts are estimates: noisy (dp) or scaled from a tagged sample. */
  get estimated(): boolean {
    return this.privacyMode === 'dp' || (this.overview as { sample?: unknown }).sample != null;
  }

  /** The one-sentence guarantee a dp publication states (null in threshold mode). */
  get privacyGuarantee(): string | null {
    const privacy = (this.overview as { privacy?: { guarantee?: unknown } }).privacy;
    return typeof privacy?.guarantee === 'string' ? privacy.guarantee : null;
  }

  evidence(): TenantEvidence {
    return tenantEvidenceView(this.snapshot.evidence as unknown as PrivacyEvidence);
  }

  /** Every cluster's id, level, parent, name and description (no figures), cached per snapshot. */
  async clusterNames(): Promise<PublishedClusterName[]> {
    let index = NAME_INDEXES.get(this.snapshot.id);
    if (!index) {
      index = this.repository.clusterNames(this.tenantId, this.snapshot.id);
      index.catch(() => NAME_INDEXES.delete(this.snapshot.id));
      NAME_INDEXES.set(this.snapshot.id, index);
      if (NAME_INDEXES.size > NAME_INDEXES_KEPT) {
        NAME_INDEXES.delete(NAME_INDEXES.keys().next().value!);
      }
    }
    return index;
  }

  /** The published levels, top (0) first. */
  async levels(): Promise<number[]> {
    return [...new Set((await this.clusterNames()).map((c) => c.level))].sort((a, b) => a - b);
  }

  /** Ranking figures of one level, or of one cluster's children (no metrics documents). */
  async clusterFigures(
    filter: { level: number } | { parentId: string },
  ): Promise<PublishedClusterFigures[]> {
    return this.repository.clusterFigures(this.tenantId, this.snapshot.id, filter);
  }

  /** One level of the tree with its figures (one indexed query per level). */
  async clustersAt(level: number): Promise<PublishedCluster[]> {
    let rows = this.levelCache.get(level);
    if (!rows) {
      rows = await this.repository.clusters(this.tenantId, this.snapshot.id, { level });
      this.levelCache.set(level, rows);
    }
    return rows;
  }

  async cluster(id: string): Promise<PublishedCluster | undefined> {
    const [cluster] = await this.repository.clusters(this.tenantId, this.snapshot.id, { id });
    return cluster;
  }

  async children(parentId: string): Promise<PublishedCluster[]> {
    return this.repository.clusters(this.tenantId, this.snapshot.id, { parentId });
  }

  async clustersById(ids: readonly string[]): Promise<PublishedCluster[]> {
    if (ids.length === 0) return [];
    return this.repository.clusters(this.tenantId, this.snapshot.id, { ids });
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
   * serves (`trendFacetSchema`: the built-in ones and custom facets): the series kept for reports
   * only (teams, outcomes by week) stay out,
   * so the analyst shows a read key nothing the insights API does not.
   */
  async trendFacets(): Promise<{ facet: string; interval: string }[]> {
    this.trendFacetCache ??= (
      await this.repository.trendSeries(this.tenantId, this.snapshot.id)
    ).filter((series) => trendFacetSchema.safeParse(series.facet).success);
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
