/**
 * Dashboard sign-in: an API key of scope read or admin opens a session held in an httpOnly,
 * SameSite=Strict cookie (8 hours), so the key itself never stays in the browser. State-changing
 * requests on a session carry its CSRF token in `X-CSRF-Token`.
 */
import {
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Post,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { keySignInSchema, type SessionResponse } from '@silhouette/contracts';
import { ApiKeyRepository, SessionRepository, TenantRepository } from '@silhouette/db';
import type { ApiDeps } from '../api-deps';
import {
  AuthGuard,
  RequireScopes,
  SESSION_COOKIE,
  sessionCookie,
  type AuthenticatedRequest,
} from '../auth/auth.guard';
import { ApiError } from '../common/api-error';
import { readJsonBody } from '../common/read-body';
import { API_DEPS } from '../tokens';

const SESSION_SECONDS = 8 * 3600;

function cookie(request: Request, value: string, maxAge: number): string {
  const secure = request.secure || request.headers['x-forwarded-proto'] === 'https';
  return `${SESSION_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;
}

@Controller('v1/session')
export class SessionController {
  constructor(@Inject(API_DEPS) private readonly deps: ApiDeps) {}

  @Post()
  @HttpCode(200)
  async signIn(
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<SessionResponse> {
    const { key } = await readJsonBody(request, keySignInSchema);
    const info = await new ApiKeyRepository(this.deps.db).authenticate(key.trim());
    if (!info)
      throw new ApiError(401, 'unauthenticated', 'the API key is unknown or revoked', 'key');
    if (info.scope !== 'read' && info.scope !== 'admin') {
      throw new ApiError(
        403,
        'forbidden',
        'the dashboard needs a key with scope read or admin',
        'key',
      );
    }
    const tenant = (await new TenantRepository(this.deps.db).findById(info.tenantId))!;
    const session = await new SessionRepository(this.deps.db).open(
      tenant.id,
      info.id,
      SESSION_SECONDS,
    );
    response.setHeader('Set-Cookie', cookie(request, session.token, SESSION_SECONDS));
    return {
      tenant: tenant.slug,
      name: tenant.name,
      scope: info.scope,
      csrf_token: session.csrfToken,
      expires_at: session.expiresAt.toISOString(),
    };
  }

  /** The current session (after a reload the page asks for its CSRF token again). */
  @Get()
  @UseGuards(AuthGuard)
  @RequireScopes('read', 'admin')
  async current(@Req() request: AuthenticatedRequest): Promise<SessionResponse> {
    const token = sessionCookie(request);
    const session = token ? await new SessionRepository(this.deps.db).find(token) : undefined;
    if (!session)
      throw new ApiError(404, 'no_session', 'no browser session: you are using an API key');
    return {
      tenant: request.auth!.tenantSlug,
      scope: session.scope,
      csrf_token: session.csrfToken,
      expires_at: session.expiresAt.toISOString(),
    };
  }

  @Delete()
  @HttpCode(204)
  @UseGuards(AuthGuard)
  @RequireScopes('read', 'admin')
  async signOut(
    @Req() request: AuthenticatedRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<void> {
    const token = sessionCookie(request);
    if (token) await new SessionRepository(this.deps.db).close(token);
    response.setHeader('Set-Cookie', cookie(request, '', 0));
  }
}
