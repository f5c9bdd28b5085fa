/** Typed calls to the Silhouette API. The dashboard never receives conversation text. */
export interface TenantInfo {
  id: string;
  slug: string;
  name: string;
  scope: string;
  k_users: number;
  min_conversations: number;
  retention_days: number | null;
}

export interface PipelineStatus {
  conversations: number;
  accepted: number;
  tagged: number;
  embedded: number;
  failed: number;
  content_deleted: number;
}

export interface SnapshotInfo {
  id: string;
  version: number;
  published_at: string;
  period: { start: string | null; end: string | null };
}

/** One published cell of a breakdown inside a snapshot's metrics (camelCase as stored). */
export interface MetricRow {
  value: string;
  isOther: boolean;
  conversations: number;
  distinctUsers: number;
  minutesSavedTotal: number;
}

export interface MinutesSaved {
  total: number;
  total_low: number;
  total_high: number;
  mean: number;
  mean_low: number;
  mean_high: number;
  per_active_user_per_week?: number;
  method?: string;
}

export interface Overview {
  snapshot: SnapshotInfo;
  published: boolean;
  thresholds: { k_users: number; min_conversations: number };
  conversations?: number;
  distinct_users?: number;
  minutes_saved?: MinutesSaved;
  resolution_rate?: number;
  failure_rate?: number;
  outcomes?: MetricRow[];
  weekly?: MetricRow[];
  /** null: too few to show without revealing a small group. */
  low_confidence_conversations?: number | null;
  clusters_published?: number;
}

export interface ClusterSummary {
  id: string;
  level: number;
  parent_id: string | null;
  is_other: boolean;
  name: string;
  description: string;
  conversations: number;
  distinct_users: number;
  minutes_saved: number;
  failure_rate: number | null;
  /** Position on the 2-D map (principal axes of the centroids), each coordinate in [-1, 1]. */
  map?: { x: number; y: number } | null;
}

export interface ClusterMetrics {
  minutes_saved?: MinutesSaved;
  outcomes?: MetricRow[];
  failure_reasons?: MetricRow[];
  failure_rate?: number;
  resolution_rate?: number;
  frustration_mean?: number;
  failure_impact_minutes?: number | null;
  languages?: MetricRow[];
  weekly?: MetricRow[];
  domains?: MetricRow[];
  task_types?: MetricRow[];
  teams?: MetricRow[];
  /** null: too few to show without revealing a small group. */
  low_confidence_conversations?: number | null;
  pooled_groups?: number;
}

export interface ClusterDetail extends ClusterSummary {
  snapshot: SnapshotInfo;
  path: { id: string; name: string; level: number }[];
  metrics: ClusterMetrics;
  goals: { text: string; users: number; conversations: number }[];
  lineage: { kind?: string; sources?: string[] };
  children: ClusterSummary[];
}

export interface FailureCluster extends ClusterSummary {
  failure_impact_minutes: number | null;
  failure_reasons: MetricRow[];
  outcomes: MetricRow[];
}

export type Facet = 'team' | 'department' | 'language' | 'domain' | 'task_type' | 'outcome';

export interface BreakdownRow {
  value: string;
  is_other: boolean;
  conversations: number;
  distinct_users: number;
  minutes_saved: number;
}

export interface Evidence {
  thresholds: { kUsers: number; minConversations: number };
  cells: {
    published: number;
    suppressed: number;
    byReason: Record<string, number>;
    byScope: Record<string, { published: number; suppressed: number }>;
  };
  suppressedCells: { scope: string; key: string; reason: string }[];
  textGate: { checked: number; rejected: number; byReason: Record<string, number> };
  auditor?: { model: string; promptVersion: string; scores: Record<string, number> };
  models: { tagger: string; taggerPromptVersion: string; embedder: string; namer?: string };
  generatedAt: string;
}

export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
    /** The request field at fault on a 400 (`cron`, `period.weeks`, `recipients.0`, …). */
    readonly field?: string,
  ) {
    super(message);
  }
}

/**
 * Calls authenticate with the httpOnly session cookie (same origin). `csrf` is the session's
 * CSRF token, required by the API on anything that changes state; sent on every call for simplicity.
 */
export async function request<T>(
  path: string,
  csrf?: string,
  init: { method?: string; body?: unknown } = {},
): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: init.method ?? 'GET',
      credentials: 'same-origin',
      headers: {
        ...(csrf ? { 'X-CSRF-Token': csrf } : {}),
        ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  } catch {
    throw new ApiRequestError(0, 'The Silhouette service cannot be reached. Check your network.');
  }
  if (response.status === 204) return undefined as T;
  const body = (await response.json().catch(() => ({}))) as {
    error?: { message?: string; code?: string; field?: string };
  };
  if (!response.ok)
    throw new ApiRequestError(
      response.status,
      body.error?.message ?? `request failed (${response.status})`,
      body.error?.code,
      body.error?.field,
    );
  return body as T;
}

const q = encodeURIComponent;

export type TrendFacet = 'domain' | 'task_type' | 'cluster';

export interface TrendBucket {
  bucket: string;
  values: {
    value: string;
    is_other: boolean;
    conversations: number;
    distinct_users: number;
    minutes_saved: number;
  }[];
}

export interface SessionInfo {
  csrf_token: string;
}

export const api = {
  /** Opens a browser session from an API key; the key is not kept anywhere in the page. */
  signIn: (key: string) =>
    request<SessionInfo>('/v1/session', undefined, { method: 'POST', body: { key } }),
  /** The session behind the cookie, if any (after a reload). */
  session: () => request<SessionInfo>('/v1/session'),
  signOut: (csrf: string) => request<void>('/v1/session', csrf, { method: 'DELETE' }),
  ready: () =>
    request<{ status: string; checks: Record<string, string> }>('/ready').catch(() => ({
      status: 'unreachable',
      checks: {},
    })),
  tenant: (csrf: string) => request<TenantInfo>('/v1/tenant', csrf),
  status: (csrf: string) => request<PipelineStatus>('/v1/status', csrf),
  overview: (csrf: string) => request<Overview>('/v1/insights/overview', csrf),
  clusters: (csrf: string, parent?: string) =>
    request<{ snapshot: SnapshotInfo; clusters: ClusterSummary[] }>(
      parent ? `/v1/insights/clusters?parent=${q(parent)}` : '/v1/insights/clusters?level=0',
      csrf,
    ),
  cluster: (csrf: string, id: string) =>
    request<ClusterDetail>(`/v1/insights/clusters/${q(id)}`, csrf),
  failures: (csrf: string, level?: number) =>
    request<{ snapshot: SnapshotInfo; level: number; clusters: FailureCluster[] }>(
      level === undefined ? '/v1/insights/failures' : `/v1/insights/failures?level=${level}`,
      csrf,
    ),
  breakdown: (csrf: string, facet: Facet) =>
    request<{ snapshot: SnapshotInfo; facet: Facet; k_users: number | null; rows: BreakdownRow[] }>(
      `/v1/insights/breakdown?facet=${q(facet)}`,
      csrf,
    ),
  trends: (csrf: string, facet: TrendFacet, interval: 'week' | 'month') =>
    request<{
      snapshot: SnapshotInfo;
      facet: TrendFacet;
      interval: string;
      buckets: TrendBucket[];
    }>(`/v1/insights/trends?facet=${q(facet)}&interval=${q(interval)}`, csrf),
  /** The latest snapshot's evidence, or that of `snapshot` (a report links to its own). */
  evidence: (csrf: string, snapshot?: string) =>
    request<{ snapshot: SnapshotInfo; evidence: Evidence }>(
      snapshot ? `/v1/privacy/evidence?snapshot=${q(snapshot)}` : '/v1/privacy/evidence',
      csrf,
    ),
};
