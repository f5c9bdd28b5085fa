/**
 * Authentication, scope check and per-key rate limit. Callers present an API key
 * (`Authorization: Bearer sil_…` or `X-Api-Key`), or the dashboard's session cookie, which acts
 * with the scope of the key it was opened with. Cookie-authenticated requests that change state
 * must echo the session's CSRF token in `X-CSRF-Token` (the cookie is also SameSite=Strict).
 * An unknown, revoked or malformed credential is a 401 that says only that; a wrong scope is a
 * 403 naming the scopes that would do.
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
import { RateLimiter } from '../common/rate-limiter';
import { API_DEPS } from '../tokens';

export interface AuthContext {
  tenantId: string;
  tenantSlug: string;
  keyId: string;
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

  constructor(
    @Inject(API_DEPS) private readonly deps: ApiDeps,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {
    this.limiter = new RateLimiter(deps.env.RATE_LIMIT_PER_MINUTE);
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
    let info: { id: string; tenantId: string; scope: ApiKeyScope } | undefined;
    if (key) {
      info = await keys.authenticate(key);
      if (!info)
        throw new ApiError(
          401,
          'unauthenticated',
          'the API key is unknown or revoked',
          'authorization',
        );
    } else {
      const token = sessionCookie(request);
      const session = token ? await new SessionRepository(this.deps.db).find(token) : undefined;
      if (!session) {
        throw new ApiError(
          401,
          'unauthenticated',
          'sign in, or send an API key (Authorization: Bearer <key>)',
          'authorization',
        );
      }
      if (
        !SAFE_METHODS.has(request.method) &&
        request.headers['x-csrf-token'] !== session.csrfToken
      ) {
        throw new ApiError(
          403,
          'csrf',
          'missing or wrong X-CSRF-Token for this session',
          'x-csrf-token',
        );
      }
      info = { id: session.keyId, tenantId: session.tenantId, scope: session.scope };
    }
    const wait = this.limiter.take(info.id);
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
      throw new ApiError(
        403,
        'forbidden',
        `this route needs a key with scope ${scopes.join(' or ')}`,
        'authorization',
      );
    }
    const tenant = await new TenantRepository(this.deps.db).findById(info.tenantId);
    if (!tenant)
      throw new ApiError(
        401,
        'unauthenticated',
        'the API key is unknown or revoked',
        'authorization',
      );
    await keys.touch(info.id);
    request.auth = {
      tenantId: tenant.id,
      tenantSlug: tenant.slug,
      keyId: info.id,
      scope: info.scope,
    };
    return true;
  }
}
