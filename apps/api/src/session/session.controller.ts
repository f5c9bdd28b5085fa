/**
 * Dashboard sign-in. Two ways, one body each:
 *   - `{ "key" }`: an API key of scope read or admin;
 *   - `{ "tenant", "email", "password" }`: a user account of the tenant with that slug (the same
 *     email may hold accounts in several tenants, so the tenant is named).
 * Either opens a session held in an httpOnly, SameSite=Strict cookie (8 hours), so no credential
 * stays in the browser. State-changing requests on a session carry its CSRF token in
 * `X-CSRF-Token`.
 *
 * Password sign-in: a wrong password, an unknown email, an unknown tenant and a disabled account
 * all get the same 401 after the same scrypt work. Failures are counted per account and per
 * client address (SIGN_IN_MAX_FAILURES_PER_ACCOUNT / _PER_IP in SIGN_IN_WINDOW_S); over either
 * limit the answer is 429 with Retry-After, before any password is checked.
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
import { z } from 'zod';
import {
  keySignInSchema,
  passwordSignInSchema,
  type PasswordSignIn,
  type SessionResponse,
} from '@silhouette/contracts';
import {
  ApiKeyRepository,
  AuditLogRepository,
  dummyPasswordHash,
  normalizeEmail,
  SessionRepository,
  SignInThrottleRepository,
  TenantRepository,
  UserRepository,
  verifyPassword,
} from '@silhouette/db';
import type { ApiDeps } from '../api-deps';
import {
  AuthGuard,
  RequireScopes,
  SESSION_COOKIE,
  sessionCookie,
  type AuthenticatedRequest,
} from '../auth/auth.guard';
import { DeniedRequestLog } from '../common/denied-requests';
import { ApiError } from '../common/api-error';
import { parseWith, readJsonBody } from '../common/read-body';
import { API_DEPS } from '../tokens';

const SESSION_SECONDS = 8 * 3600;
const anyObject = z.record(z.string(), z.unknown());
const WRONG_PASSWORD = 'the email or password is wrong, or the account is disabled';

function cookie(request: Request, value: string, maxAge: number): string {
  const secure = request.secure || request.headers['x-forwarded-proto'] === 'https';
  return `${SESSION_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;
}

@Controller('v1/session')
export class SessionController {
  private readonly denied: DeniedRequestLog;

  constructor(@Inject(API_DEPS) private readonly deps: ApiDeps) {
    this.denied = new DeniedRequestLog(deps.db, deps.env.RATE_LIMIT_PER_MINUTE);
  }

  @Post()
  @HttpCode(200)
  async signIn(
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<SessionResponse> {
    const body = await readJsonBody(request, anyObject);
    const opened =
      'key' in body
        ? await this.withKey(request, parseWith(keySignInSchema, body, 'body').key)
        : await this.withPassword(request, parseWith(passwordSignInSchema, body, 'body'));
    const session = await new SessionRepository(this.deps.db).open(
      opened.tenant.id,
      opened.credential,
      SESSION_SECONDS,
    );
    await new AuditLogRepository(this.deps.db).record({
      tenantId: opened.tenant.id,
      actor:
        'userId' in opened.credential
          ? `user:${opened.credential.userId}`
          : `key:${opened.credential.keyId}`,
      action: 'sign-in',
      resource: '/v1/session',
      details: { method: 'userId' in opened.credential ? 'password' : 'key', scope: opened.scope },
    });
    response.setHeader('Set-Cookie', cookie(request, session.token, SESSION_SECONDS));
    return {
      tenant: opened.tenant.slug,
      name: opened.tenant.name,
      scope: opened.scope,
      user: opened.email,
      csrf_token: session.csrfToken,
      expires_at: session.expiresAt.toISOString(),
    };
  }

  private async withKey(request: Request, key: string) {
    const keys = new ApiKeyRepository(this.deps.db);
    const info = await keys.authenticate(key.trim());
    if (!info) {
      const revoked = await keys.identify(key.trim());
      await this.denied.record(request, {
        tenantId: revoked?.tenantId ?? null,
        actor: revoked ? `key:${revoked.id}` : 'key:unknown',
        status: 401,
        reason: 'unauthenticated',
      });
      throw new ApiError(401, 'unauthenticated', 'the API key is unknown or revoked', 'key');
    }
    if (info.scope !== 'read' && info.scope !== 'admin') {
      await this.denied.record(request, {
        tenantId: info.tenantId,
        actor: `key:${info.id}`,
        status: 403,
        reason: 'forbidden',
      });
      throw new ApiError(
        403,
        'forbidden',
        'the dashboard needs a key with scope read or admin',
        'key',
      );
    }
    const tenant = (await new TenantRepository(this.deps.db).findById(info.tenantId))!;
    return {
      tenant,
      credential: { keyId: info.id },
      scope: info.scope,
      email: null,
    };
  }

  private async withPassword(request: Request, body: PasswordSignIn) {
    const { env, db } = this.deps;
    const accountBucket = `account:${body.tenant.toLowerCase()}/${normalizeEmail(body.email)}`;
    const addressBucket = `ip:${request.socket.remoteAddress ?? 'unknown'}`;
    const throttle = new SignInThrottleRepository(db, env.SIGN_IN_WINDOW_S);
    const wait = await throttle.waitMs([
      { bucket: accountBucket, maxFailures: env.SIGN_IN_MAX_FAILURES_PER_ACCOUNT },
      { bucket: addressBucket, maxFailures: env.SIGN_IN_MAX_FAILURES_PER_IP },
    ]);
    if (wait > 0) {
      throw new ApiError(
        429,
        'rate_limited',
        'too many failed sign-ins; wait before trying again',
        undefined,
        { 'Retry-After': String(Math.max(1, Math.ceil(wait / 1000))) },
      );
    }
    const users = new UserRepository(db);
    const user = await users.findForSignIn(body.tenant, body.email);
    // The same scrypt work whether or not the account exists or is enabled.
    const matches = await verifyPassword(
      body.password,
      user?.passwordHash ?? (await dummyPasswordHash()),
    );
    if (!user || !matches || user.disabledAt) {
      await throttle.recordFailure([accountBucket, addressBucket]);
      // Audit-logged for every failure alike (one write whether or not the account exists, so
      // the time to fail says nothing); a tenant's admins see the attempts on their accounts.
      await this.denied.record(request, {
        tenantId: user?.tenantId ?? null,
        actor: user ? `user:${user.id}` : 'account:unknown',
        status: 401,
        reason: 'wrong_password',
      });
      throw new ApiError(401, 'unauthenticated', WRONG_PASSWORD, 'password');
    }
    await throttle.clear(accountBucket);
    await users.recordSignIn(user.id);
    const tenant = (await new TenantRepository(db).findById(user.tenantId))!;
    return {
      tenant,
      credential: { userId: user.id },
      scope: user.scope,
      email: user.email,
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
      user: session.email,
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
