/**
 * Denied requests (401, 403) in the audit log, next to the granted ones (issue #10): who tried
 * (`key:<id>`, `user:<id>`, or `key:unknown`, `session:unknown`, `anonymous` when nobody could be
 * identified), which route, and why. Never the presented key, cookie or password. Attempts that
 * name no tenant are stored without one: the operator sees them, no tenant's admin does.
 */
import type { Request } from 'express';
import { AuditLogRepository, type Queryable } from '@silhouette/db';

export interface DeniedRequest {
  tenantId: string | null;
  actor: string;
  status: 401 | 403;
  /** The error code answered: `unauthenticated`, `forbidden`, `csrf`, … */
  reason: string;
}

const MAX_RESOURCE = 300;

export async function recordDenied(
  db: Queryable,
  request: Request,
  denied: DeniedRequest,
): Promise<void> {
  const route = (request.route as { path?: string } | undefined)?.path ?? 'unmatched';
  await new AuditLogRepository(db).record({
    tenantId: denied.tenantId,
    actor: denied.actor,
    action: `${request.method} ${route}`,
    resource: request.path.slice(0, MAX_RESOURCE),
    details: { denied: denied.status, reason: denied.reason },
  });
}
