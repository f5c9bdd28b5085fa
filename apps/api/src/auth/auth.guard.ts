/**
 * Authentication, scope check and per-key rate limit. Callers present an API key
 * (`Authorization: Bearer sil_…` or `X-Api-Key`), or the dashboard's session cookie, which acts
 * with the scope of the key or user account it was opened with (and is rate-limited as that
 * key or user). Cookie-authenticated requests that change state
 * must echo the session's CSRF token in `X-CSRF-Token` (the cookie is also SameSite=Strict).
 * An unknown, revoked or malformed credential is a 401 that says only that; a wrong scope is a
 * 403 naming the scopes that would do. Every denial is audit-logged (`common/denied-requests.ts`).
 */
import {
  Inject,
  Injectable,
  SetMetadata,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import {
  ApiKeyRepository,
  SessionRepository,
  TenantRepository,
  type ApiKeyScope,
} from '@silhouette/db';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
import type { ApiDeps } from '../api-deps';
import { ApiError } from '../common/api-error';
import { DeniedRequestLog } from '../common/denied-requests';
import { RateLimiter } from '../common/rate-limiter';
import { API_DEPS } from '../tokens';

export interface AuthContext {
  tenantId: string;
  tenantSlug: string;
  /** Who acts, for the audit log and the rate limit: `key:<id>` or `user:<id>`. */
  actor: string;
  /** Set when a user account acts (through a session opened with email and password). */
  userId?: string;
  scope: ApiKeyScope;
}

export type AuthenticatedRequest = Request & { auth?: AuthContext };

const SCOPES_KEY = 'silhouette:scopes';
/** Which key scopes may call a route. Routes without it are public (health, docs, dashboard). */
export const RequireScopes = (...scopes: ApiKeyScope[]) => SetMetadata(SCOPES_KEY, scopes);

export const SESSION_COOKIE = 'silhouette_session';

export function sessionCookie(request: Request): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return value.join('=');
  }
  return undefined;
}

export function presentedKey(request: Request): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  const apiKey = request.headers['x-api-key'];
  return typeof apiKey === 'string' ? apiKey.trim() : undefined;
}

@Injectable()
export class AuthGuard implements CanActivate {
  private readonly limiter: RateLimiter;
  private readonly denied: DeniedRequestLog;

  constructor(
    @Inject(API_DEPS) private readonly deps: ApiDeps,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {
    this.limiter = new RateLimiter(deps.env.RATE_LIMIT_PER_MINUTE);
    this.denied = new DeniedRequestLog(deps.db, deps.env.RATE_LIMIT_PER_MINUTE);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const scopes = this.reflector.getAllAndOverride<ApiKeyScope[] | undefined>(SCOPES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!scopes) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const key = presentedKey(request);
    const keys = new ApiKeyRepository(this.deps.db);
    /** Records the denial in the audit log, then returns the error to throw. */
    const deny = async (
      who: { tenantId: string | null; actor: string },
      status: 401 | 403,
      code: string,
      message: string,
      field: string,
    ) => {
      await this.denied.record(request, { ...who, status, reason: code });
      return new ApiError(status, code, message, field);
    };
    let info: { actor: string; userId?: string; tenantId: string; scope: ApiKeyScope } | undefined;
    if (key) {
      const found = await keys.authenticate(key);
      if (!found) {
        // A revoked key is named (its tenant's admins see the attempt); an unknown one is not.
        const revoked = await keys.identify(key);
        throw await deny(
          revoked
            ? { tenantId: revoked.tenantId, actor: `key:${revoked.id}` }
            : { tenantId: null, actor: 'key:unknown' },
          401,
          'unauthenticated',
          'the API key is unknown or revoked',
          'authorization',
        );
      }
      info = { actor: `key:${found.id}`, tenantId: found.tenantId, scope: found.scope };
      await keys.touch(found.id);
    } else {
      const token = sessionCookie(request);
      const session = token ? await new SessionRepository(this.deps.db).find(token) : undefined;
      if (!session) {
        throw await deny(
          { tenantId: null, actor: token ? 'session:unknown' : 'anonymous' },
          401,
          'unauthenticated',
          'sign in, or send an API key (Authorization: Bearer <key>)',
          'authorization',
        );
      }
      const actor = session.userId ? `user:${session.userId}` : `key:${session.keyId}`;
      if (
        !SAFE_METHODS.has(request.method) &&
        request.headers['x-csrf-token'] !== session.csrfToken
      ) {
        throw await deny(
          { tenantId: session.tenantId, actor },
          403,
          'csrf',
          'missing or wrong X-CSRF-Token for this session',
          'x-csrf-token',
        );
      }
      info = session.userId
        ? {
            actor: `user:${session.userId}`,
            userId: session.userId,
            tenantId: session.tenantId,
            scope: session.scope,
          }
        : { actor: `key:${session.keyId}`, tenantId: session.tenantId, scope: session.scope };
    }
    const wait = this.limiter.take(info.actor);
    if (wait > 0) {
      throw new ApiError(
        429,
        'rate_limited',
        'too many requests for this key; retry later',
        undefined,
        {
          'Retry-After': String(Math.ceil(wait / 1000)),
        },
      );
    }
    if (!scopes.includes(info.scope)) {
      throw await deny(
        info,
        403,
        'forbidden',
        `this route needs a key with scope ${scopes.join(' or ')}`,
        'authorization',
      );
    }
    const tenant = await new TenantRepository(this.deps.db).findById(info.tenantId);
    if (!tenant)
      throw await deny(
        { tenantId: null, actor: info.actor },
        401,
        'unauthenticated',
        'the API key is unknown or revoked',
        'authorization',
      );
    request.auth = {
      tenantId: tenant.id,
      tenantSlug: tenant.slug,
      actor: info.actor,
      ...(info.userId ? { userId: info.userId } : {}),
      scope: info.scope,
    };
    return true;
  }
}
