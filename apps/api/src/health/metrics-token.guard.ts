/**
 * `/metrics` is the operator's (issue #10 follow-up): its counters are labelled by tenant, so a
 * verification pass read every tenant's ingest figures there with no key at all. Without
 * `METRICS_TOKEN` the route answers exactly like an unknown one (404); with it, only
 * `Authorization: Bearer <METRICS_TOKEN>` opens it. Tenant keys and dashboard sessions are not
 * credentials here, whatever their scope. A refusal is a 401, audit-logged like any denied
 * request (`common/denied-requests.ts`): a tenant key is named so that its tenant's admins see
 * the attempt; anything else is `key:unknown` or `anonymous`; never the credential.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import {
  Inject,
  Injectable,
  NotFoundException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { Request } from 'express';
import { ApiKeyRepository } from '@silhouette/db';
import type { ApiDeps } from '../api-deps';
import { presentedKey } from '../auth/auth.guard';
import { ApiError } from '../common/api-error';
import { DeniedRequestLog } from '../common/denied-requests';
import { API_DEPS } from '../tokens';

const digest = (secret: string) => createHash('sha256').update(secret, 'utf8').digest();

/** The credentials of an `Authorization: Bearer <token>` header (scheme case-insensitive). */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * Compares digests, not the strings: equal lengths for `timingSafeEqual`, and the time taken says
 * nothing about how long a prefix of the token was guessed right.
 */
export function matchesToken(presented: string | undefined, expected: Buffer): boolean {
  return presented !== undefined && timingSafeEqual(digest(presented), expected);
}

@Injectable()
export class MetricsTokenGuard implements CanActivate {
  private readonly expected?: Buffer;
  private readonly denied: DeniedRequestLog;

  constructor(@Inject(API_DEPS) private readonly deps: ApiDeps) {
    if (deps.env.METRICS_TOKEN) this.expected = digest(deps.env.METRICS_TOKEN);
    this.denied = new DeniedRequestLog(deps.db, deps.env.RATE_LIMIT_PER_MINUTE);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // Disabled: the same answer as a route that does not exist (the error filter words it).
    if (!this.expected) throw new NotFoundException();
    const request = context.switchToHttp().getRequest<Request>();
    if (matchesToken(bearerToken(request.headers.authorization), this.expected)) return true;
    await this.denied.record(request, {
      ...(await this.who(request)),
      status: 401,
      reason: 'unauthenticated',
    });
    throw new ApiError(
      401,
      'unauthenticated',
      'send the operator’s metrics token (Authorization: Bearer <METRICS_TOKEN>)',
      'authorization',
      { 'WWW-Authenticate': 'Bearer realm="metrics"' },
    );
  }

  private async who(request: Request): Promise<{ tenantId: string | null; actor: string }> {
    const presented = presentedKey(request) || request.headers.authorization;
    if (!presented) return { tenantId: null, actor: 'anonymous' };
    const key = await new ApiKeyRepository(this.deps.db).identify(presented);
    return key
      ? { tenantId: key.tenantId, actor: `key:${key.id}` }
      : { tenantId: null, actor: 'key:unknown' };
  }
}
