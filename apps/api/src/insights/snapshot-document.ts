/**
 * The published snapshot as one JSON document: what the API serves and `silhouette export`
 * writes. Built from the `insights` schema only.
 */
import type {
  ClusterMetrics,
  ClusterSummary,
  OverviewFigures,
  SnapshotInfo,
  TenantEvidence,
} from '@silhouette/contracts';
import {
  InsightsRepository,
  type PublishedCluster,
  type Queryable,
  type SnapshotSummary,
} from '@silhouette/db';
import { tenantEvidenceView, type PrivacyEvidence } from '@silhouette/privacy';

/*
 * The snapshot's JSON columns (overview, metrics, evidence) are written by the worker's publisher
 * in these shapes. They are typed here, at the one place they are read, rather than parsed on
 * every request (the tree of a large tenant has tens of thousands of clusters);
 * test/int/insights-contract.int.spec.ts parses real responses with the schemas to keep it honest.
 */
export const overviewFigures = (snapshot: SnapshotSummary) =>
  snapshot.overview as unknown as OverviewFigures;
export const clusterMetrics = (cluster: PublishedCluster) =>
  cluster.metrics as unknown as ClusterMetrics;

export function snapshotInfo(snapshot: SnapshotSummary): SnapshotInfo {
  return {
    id: snapshot.id,
    version: snapshot.version,
    published_at: snapshot.publishedAt.toISOString(),
    period: {
      start: snapshot.periodStart?.toISOString() ?? null,
      end: snapshot.periodEnd?.toISOString() ?? null,
    },
    privacy_mode: privacyModeOf(snapshot),
  };
}

/** Which mode produced a snapshot's figures (snapshots from before dp mode: threshold). */
export function privacyModeOf(snapshot: SnapshotSummary): 'dp' | 'threshold' {
  return (snapshot.overview as { privacy?: { mode?: string } }).privacy?.mode === 'dp'
    ? 'dp'
    : 'threshold';
}

/** One published cluster as the API shows it in lists (and the export, with more fields). */
export function clusterSummary(cluster: PublishedCluster): ClusterSummary {
  return {
    id: cluster.clusterId,
    level: cluster.level,
    parent_id: cluster.parentId,
    is_other: cluster.isOther,
    name: cluster.name,
    description: cluster.description,
    keywords: cluster.keywords,
    conversations: cluster.conversations,
    distinct_users: cluster.distinctUsers,
    minutes_saved: cluster.minutesSavedTotal,
    failure_rate: (cluster.metrics as { failure_rate?: number }).failure_rate ?? null,
    map: (cluster.metrics as { map?: { x: number; y: number } | null }).map ?? null,
    ...(cluster.noise ? { noise: cluster.noise } : {}),
  };
}

/** What the tenant sees of the evidence: counts per kind of scope and reason, never which cell. */
export function tenantEvidence(evidence: Record<string, unknown>): TenantEvidence {
  return tenantEvidenceView(evidence as unknown as PrivacyEvidence);
}

export interface SnapshotDocument {
  snapshot_id: string;
  version: number;
  published_at: string;
  period: { start: string | null; end: string | null };
  overview: Record<string, unknown>;
  clusters: {
    id: string;
    level: number;
    parent_id: string | null;
    is_other: boolean;
    name: string;
    description: string;
    keywords: string[];
    conversations: number;
    distinct_users: number;
    minutes_saved: number;
    failure_rate: number | null;
    map: { x: number; y: number } | null;
    goals: string[];
    metrics: Record<string, unknown>;
    lineage: Record<string, unknown>;
  }[];
  breakdowns: {
    facet: string;
    value: string;
    is_other: boolean;
    conversations: number;
    distinct_users: number;
    minutes_saved: number;
    noise?: Record<string, { low: number; high: number }>;
  }[];
  /** The issues map and short-text facets' maps (issue #15), by map name. */
  maps: Record<
    string,
    {
      id: string;
      level: number;
      parent_id: string | null;
      is_other: boolean;
      name: string;
      description: string;
      keywords: string[];
      conversations: number;
      distinct_users: number;
      metrics: Record<string, unknown>;
    }[]
  >;
  privacy: TenantEvidence;
}

/** The latest snapshot of a tenant, or undefined when nothing has been published yet. */
export async function latestSnapshotDocument(
  db: Queryable,
  tenantId: string,
): Promise<SnapshotDocument | undefined> {
  const insights = new InsightsRepository(db);
  const snapshot = await insights.latest(tenantId);
  if (!snapshot) return undefined;
  const clusters = await insights.clusters(tenantId, snapshot.id);
  const breakdowns = await insights.breakdowns(tenantId, snapshot.id);
  const maps: SnapshotDocument['maps'] = {};
  for (const cluster of await insights.mapClusters(tenantId, snapshot.id)) {
    (maps[cluster.map] ??= []).push({
      id: cluster.clusterId,
      level: cluster.level,
      parent_id: cluster.parentId,
      is_other: cluster.isOther,
      name: cluster.name,
      description: cluster.description,
      keywords: cluster.keywords,
      conversations: cluster.conversations,
      distinct_users: cluster.distinctUsers,
      metrics: cluster.metrics,
    });
  }
  return {
    snapshot_id: snapshot.id,
    version: snapshot.version,
    published_at: snapshot.publishedAt.toISOString(),
    period: {
      start: snapshot.periodStart?.toISOString() ?? null,
      end: snapshot.periodEnd?.toISOString() ?? null,
    },
    overview: snapshot.overview,
    clusters: clusters.map((cluster) => ({
      ...clusterSummary(cluster),
      goals: cluster.goals.map((goal) => goal.text),
      metrics: cluster.metrics,
      lineage: cluster.lineage,
    })),
    breakdowns: breakdowns.map((row) => ({
      facet: row.facet,
      value: row.value,
      is_other: row.isOther,
      conversations: row.conversations,
      distinct_users: row.distinctUsers,
      minutes_saved: row.minutesSavedTotal,
      ...(row.noise ? { noise: row.noise } : {}),
    })),
    maps,
    privacy: tenantEvidence(snapshot.evidence),
  };
}
