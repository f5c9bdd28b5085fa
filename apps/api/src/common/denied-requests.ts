/**
 * Denied requests (401, 403) in the audit log, next to the granted ones (issue #10): who tried
 * (`key:<id>`, `user:<id>`, or `key:unknown`, `session:unknown`, `account:unknown`, `anonymous`
 * when nobody could be identified), which route, and why. Never the presented key, cookie or
 * password. Attempts that name no tenant are stored without one: the operator sees them, no
 * tenant's admin does.
 *
 * Denials cost nothing to send, so each actor's entries are capped at `perMinute` (the unknown
 * ones share one bucket per kind): a flood of bad keys cannot grow the audit log without bound.
 * The request is refused all the same; past the cap it is just not written down again.
 */
import type { Request } from 'express';
import { AuditLogRepository, type Queryable } from '@silhouette/db';
import { RateLimiter } from './rate-limiter';

export interface DeniedRequest {
  tenantId: string | null;
  actor: string;
  status: 401 | 403;
  /** The error code answered: `unauthenticated`, `forbidden`, `csrf`, … */
  reason: string;
}

const MAX_RESOURCE = 300;

export class DeniedRequestLog {
  private readonly limiter: RateLimiter;

  constructor(
    private readonly db: Queryable,
    perMinute: number,
  ) {
    this.limiter = new RateLimiter(perMinute);
  }

  async record(request: Request, denied: DeniedRequest): Promise<void> {
    if (this.limiter.take(`${denied.tenantId ?? '-'}/${denied.actor}`) > 0) return;
    const route = (request.route as { path?: string } | undefined)?.path ?? 'unmatched';
    await new AuditLogRepository(this.db).record({
      tenantId: denied.tenantId,
      actor: denied.actor,
      action: `${request.method} ${route}`,
      resource: request.path.slice(0, MAX_RESOURCE),
      details: { denied: denied.status, reason: denied.reason },
    });
  }
}
