/**
 * Typed calls to the Silhouette API. The response types are inferred from the zod schemas in
 * libs/contracts (type-only imports: nothing of zod reaches the bundle), the same schemas the API's
 * controllers are typed by and its OpenAPI document is generated from. The dashboard never
 * receives conversation text.
 */
import type {
  BreakdownFacet,
  BreakdownResponse,
  BudgetResponse,
  ClusterDetailResponse,
  ClusterListResponse,
  ClusterSummary,
  EvidenceResponse,
  FailureCluster,
  FailuresResponse,
  FailureTrend,
  MetricRow,
  NoiseIntervals,
  OverviewResponse,
  PasswordSignIn,
  PipelineStatus,
  SessionResponse,
  SnapshotInfo,
  TenantEvidence,
  TenantInfo,
  TrendBucket,
  TrendFacet,
  TrendInterval,
  TrendsResponse,
} from '@silhouette/contracts/insights';
import type { AskAnswer } from '@silhouette/contracts/ask';

export type {
  BudgetResponse,
  ClusterSummary,
  NoiseIntervals,
  FailureCluster,
  FailureTrend,
  MetricRow,
  PipelineStatus,
  SnapshotInfo,
  TenantInfo,
  TrendBucket,
  TrendFacet,
};
export type Overview = OverviewResponse;
export type ClusterDetail = ClusterDetailResponse;
/** A built-in facet, or a custom facet as `custom:<key>` (issue #15). */
export type Facet = BreakdownFacet | `custom:${string}`;
export type Evidence = TenantEvidence;

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

export const api = {
  /** Opens a browser session from an API key; the key is not kept anywhere in the page. */
  signInWithKey: (key: string) =>
    request<SessionResponse>('/v1/session', undefined, { method: 'POST', body: { key } }),
  /** Opens a browser session for a user account of the tenant with this slug. */
  signInWithPassword: (body: PasswordSignIn) =>
    request<SessionResponse>('/v1/session', undefined, { method: 'POST', body }),
  /** The session behind the cookie, if any (after a reload). */
  session: () => request<SessionResponse>('/v1/session'),
  signOut: (csrf: string) => request<void>('/v1/session', csrf, { method: 'DELETE' }),
  ready: () =>
    request<{ status: string; checks: Record<string, string> }>('/ready').catch(() => ({
      status: 'unreachable',
      checks: {},
    })),
  tenant: (csrf: string) => request<TenantInfo>('/v1/tenant', csrf),
  status: (csrf: string) => request<PipelineStatus>('/v1/status', csrf),
  overview: (csrf: string) => request<OverviewResponse>('/v1/insights/overview', csrf),
  /** The top level, or the children of `parent`; one page (`cursor` from the previous one). */
  clusters: (csrf: string, parent?: string, cursor?: string) =>
    request<ClusterListResponse>(
      `/v1/insights/clusters?${parent ? `parent=${q(parent)}` : 'level=0'}${
        cursor ? `&cursor=${q(cursor)}` : ''
      }`,
      csrf,
    ),
  cluster: (csrf: string, id: string) =>
    request<ClusterDetailResponse>(`/v1/insights/clusters/${q(id)}`, csrf),
  failures: (csrf: string, level?: number) =>
    request<FailuresResponse>(
      level === undefined ? '/v1/insights/failures' : `/v1/insights/failures?level=${level}`,
      csrf,
    ),
  breakdown: (csrf: string, facet: Facet) =>
    request<BreakdownResponse>(`/v1/insights/breakdown?facet=${q(facet)}`, csrf),
  trends: (csrf: string, facet: TrendFacet | `custom:${string}`, interval: TrendInterval) =>
    request<TrendsResponse>(`/v1/insights/trends?facet=${q(facet)}&interval=${q(interval)}`, csrf),
  /** A question about the published insights; the answer cites every figure. */
  ask: (csrf: string, question: string) =>
    request<AskAnswer>('/v1/ask', csrf, { method: 'POST', body: { question } }),
  /** The latest snapshot's evidence, or that of `snapshot` (a report links to its own). */
  evidence: (csrf: string, snapshot?: string) =>
    request<EvidenceResponse>(
      snapshot ? `/v1/privacy/evidence?snapshot=${q(snapshot)}` : '/v1/privacy/evidence',
      csrf,
    ),
  /** This month's differential-privacy budget and the publications that spent it. */
  budget: (csrf: string) => request<BudgetResponse>('/v1/privacy/budget', csrf),
};
