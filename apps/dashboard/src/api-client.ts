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

export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function request<T>(path: string, key?: string): Promise<T> {
  const response = await fetch(path, { headers: key ? { Authorization: `Bearer ${key}` } : {} });
  const body = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
  if (!response.ok)
    throw new ApiRequestError(
      response.status,
      body.error?.message ?? `request failed (${response.status})`,
    );
  return body as T;
}

export const api = {
  ready: () =>
    request<{ status: string; checks: Record<string, string> }>('/ready').catch(() => ({
      status: 'unreachable',
      checks: {},
    })),
  tenant: (key: string) => request<TenantInfo>('/v1/tenant', key),
  status: (key: string) => request<PipelineStatus>('/v1/status', key),
};
