/**
 * Dashboard user accounts against real PostgreSQL: created by an admin (API) or the CLI, signed
 * in with tenant + email + password, the same 401 for every wrong credential, throttled per
 * account and per address, sessions that die with the user, the user in the audit log, tenant
 * isolation, and no password in any log.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createdUserSchema,
  sessionResponseSchema,
  userListResponseSchema,
} from '@silhouette/contracts';
import { call, startStack, type Stack } from '../helpers/stack';

const CLI = fileURLToPath(new URL('../../bin/silhouette.mjs', import.meta.url));
const PASSWORD = 'correct horse battery staple';

describe('dashboard user accounts', () => {
  let stack: Stack;
  let other: Awaited<ReturnType<Stack['createTenant']>>;

  beforeAll(async () => {
    stack = await startStack({
      mode: 'server',
      env: { SIGN_IN_MAX_FAILURES_PER_ACCOUNT: '3', SIGN_IN_MAX_FAILURES_PER_IP: '12' },
    });
    other = await stack.createTenant('globex');
  }, 120_000);
  afterAll(async () => stack?.close());
  // Each test starts with no failed attempts counted (they all come from 127.0.0.1).
  beforeEach(async () => {
    await stack.ownerDb.query('DELETE FROM app.sign_in_failures');
  });

  const admin = (path: string, init: { method?: string; body?: unknown } = {}) =>
    call(stack, path, {
      method: init.method ?? 'GET',
      key: stack.tenant.adminKey,
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  const signIn = (body: Record<string, string>) =>
    call(stack, '/v1/session', { method: 'POST', body: JSON.stringify(body) });
  const withCookie = (cookie: string, path: string, init: { method?: string } = {}) =>
    call(stack, path, { ...init, headers: { cookie } });

  let readUser: { id: string; email: string };

  it('lets an admin create users (password given or generated once), list and validate them', async () => {
    const created = await admin('/v1/admin/users', {
      method: 'POST',
      body: { email: 'Ana.Lyst@Example.com', scope: 'read', password: PASSWORD },
    });
    expect(created.status).toBe(201);
    expect(createdUserSchema.parse(created.body)).toEqual(created.body);
    expect(created.body).toMatchObject({ email: 'ana.lyst@example.com', scope: 'read' });
    expect(created.body).not.toHaveProperty('password');
    readUser = created.body;

    const generated = await admin('/v1/admin/users', {
      method: 'POST',
      body: { email: 'boss@example.com', scope: 'admin' },
    });
    expect(generated.status).toBe(201);
    expect(generated.body.password).toMatch(/^[A-Za-z0-9_-]{24}$/);

    const list = await admin('/v1/admin/users');
    expect(userListResponseSchema.parse(list.body)).toEqual(list.body);
    expect(list.body.users.map((user: any) => user.email)).toEqual([
      'ana.lyst@example.com',
      'boss@example.com',
    ]);
    expect(list.text).not.toMatch(/scrypt|password/);

    const cases: [unknown, string][] = [
      [{ email: 'ana.lyst@example.com', scope: 'read', password: PASSWORD }, 'email'],
      [{ email: 'not-an-email', scope: 'read' }, 'email'],
      [{ email: 'x@example.com', scope: 'ingest' }, 'scope'],
      [{ email: 'x@example.com', scope: 'read', password: 'short' }, 'password'],
      [{ email: 'x@example.com', scope: 'read', extra: 1 }, 'extra'],
    ];
    for (const [body, field] of cases) {
      const response = await admin('/v1/admin/users', { method: 'POST', body });
      expect([400, 409], JSON.stringify(body)).toContain(response.status);
      expect(response.body.error.field, JSON.stringify(body)).toBe(field);
    }
    // Only admins manage users.
    const byReader = await call(stack, '/v1/admin/users', { key: stack.tenant.readKey });
    expect(byReader.status).toBe(403);
  });

  it('signs in with tenant, email and password into a session that acts as the user', async () => {
    const response = await signIn({
      tenant: stack.tenant.tenant.slug,
      email: 'ANA.LYST@example.com',
      password: PASSWORD,
    });
    expect(response.status).toBe(200);
    expect(sessionResponseSchema.parse(response.body)).toEqual(response.body);
    expect(response.body).toMatchObject({
      tenant: 'acme',
      scope: 'read',
      user: 'ana.lyst@example.com',
    });
    const setCookie = response.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^silhouette_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict/);
    const cookie = setCookie.split(';')[0]!;
    const tenant = await withCookie(cookie, '/v1/tenant');
    expect(tenant.body).toMatchObject({ slug: 'acme', scope: 'read' });
    expect((await withCookie(cookie, '/v1/session')).body.user).toBe('ana.lyst@example.com');
    // A read user has no admin rights, and state changes need the CSRF token.
    expect((await withCookie(cookie, '/v1/admin/users')).status).toBe(403);
    expect((await withCookie(cookie, '/v1/session', { method: 'DELETE' })).status).toBe(403);

    // The audit log names the user: the sign-in and every request made through the session.
    const audit = await admin('/v1/admin/audit-log?limit=20');
    const mine = audit.body.entries.filter((entry: any) => entry.actor === `user:${readUser.id}`);
    expect(mine.map((entry: any) => entry.action)).toEqual(
      expect.arrayContaining(['sign-in', 'GET /v1/tenant']),
    );
  });

  it('gives the same 401 for a wrong password, an unknown email and an unknown tenant, after the same hashing work', async () => {
    const attempts = {
      wrongPassword: { tenant: 'acme', email: 'ana.lyst@example.com', password: 'nope nope nope' },
      unknownEmail: { tenant: 'acme', email: 'nobody@example.com', password: 'nope nope nope' },
      unknownTenant: { tenant: 'initech', email: 'ana.lyst@example.com', password: PASSWORD },
      otherTenant: { tenant: other.tenant.slug, email: 'ana.lyst@example.com', password: PASSWORD },
    };
    const answers: Record<string, { status: number; body: unknown; ms: number }> = {};
    for (const [name, body] of Object.entries(attempts)) {
      const started = performance.now();
      const response = await signIn(body);
      answers[name] = {
        status: response.status,
        body: response.body,
        ms: performance.now() - started,
      };
      expect(response.headers.get('set-cookie'), name).toBeNull();
    }
    const reference = answers.wrongPassword!;
    expect(reference.status).toBe(401);
    for (const [name, answer] of Object.entries(answers)) {
      expect(answer.status, name).toBe(401);
      expect(answer.body, name).toEqual(reference.body);
      // Without the dummy hash an unknown account would answer in ~1 ms instead of ~50+ ms.
      expect(answer.ms, name).toBeGreaterThan(reference.ms / 3);
    }
    expect(reference.body).toEqual({
      error: {
        code: 'unauthenticated',
        message: 'the email or password is wrong, or the account is disabled',
        field: 'password',
      },
    });
    const missing = await signIn({ tenant: 'acme', email: 'ana.lyst@example.com' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.field).toBe('password');
  });

  it('throttles failed sign-ins per account, then per address, with Retry-After', async () => {
    const account = { tenant: 'acme', email: 'ana.lyst@example.com' };
    for (let i = 0; i < 3; i++)
      expect((await signIn({ ...account, password: `wrong ${i} wrong` })).status).toBe(401);
    // The account is locked for the window, even with the right password...
    const locked = await signIn({ ...account, password: PASSWORD });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    // ...and an unknown account is locked the same way (no hint which accounts exist).
    const ghost = { tenant: 'acme', email: 'ghost@example.com' };
    for (let i = 0; i < 3; i++) await signIn({ ...ghost, password: `wrong ${i} wrong` });
    expect((await signIn({ ...ghost, password: PASSWORD })).status).toBe(429);
    // Another account from the same address still works, until the address limit (12) is hit.
    const boss = await admin('/v1/admin/users');
    expect(boss.status).toBe(200);
    const fresh = await admin('/v1/admin/users', {
      method: 'POST',
      body: { email: 'carol@example.com', scope: 'read', password: PASSWORD },
    });
    expect(fresh.status).toBe(201);
    expect(
      (await signIn({ tenant: 'acme', email: 'carol@example.com', password: PASSWORD })).status,
    ).toBe(200);
    for (let i = 0; i < 6; i++)
      await signIn({ tenant: 'acme', email: `spray${i}@example.com`, password: 'wrong wrong' });
    const blocked = await signIn({
      tenant: 'acme',
      email: 'carol@example.com',
      password: PASSWORD,
    });
    expect(blocked.status).toBe(429);
    // Key sign-in is not a password guess: it is not throttled by these counters.
    expect((await signIn({ key: stack.tenant.readKey })).status).toBe(200);
  });

  it('ends the sessions of a disabled user at once; other tenants get 404 for its id', async () => {
    const response = await signIn({
      tenant: 'acme',
      email: 'ana.lyst@example.com',
      password: PASSWORD,
    });
    const cookie = response.headers.get('set-cookie')!.split(';')[0]!;
    expect((await withCookie(cookie, '/v1/tenant')).status).toBe(200);

    const foreign = await call(stack, `/v1/admin/users/${readUser.id}`, {
      method: 'DELETE',
      key: other.adminKey,
    });
    expect(foreign.status).toBe(404);
    expect((await admin('/v1/admin/users/not-a-uuid', { method: 'DELETE' })).status).toBe(404);
    expect((await call(stack, '/v1/admin/users', { key: other.adminKey })).body.users).toEqual([]);

    expect((await admin(`/v1/admin/users/${readUser.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await withCookie(cookie, '/v1/tenant')).status).toBe(401);
    const again = await signIn({
      tenant: 'acme',
      email: 'ana.lyst@example.com',
      password: PASSWORD,
    });
    expect(again.status).toBe(401);
    const listed = await admin('/v1/admin/users');
    expect(
      listed.body.users.find((user: any) => user.id === readUser.id).disabled_at,
    ).not.toBeNull();
    expect((await admin(`/v1/admin/users/${readUser.id}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('creates users from the CLI, with the password from stdin or generated once', async () => {
    const env = {
      ...process.env,
      DATABASE_URL: stack.env.DATABASE_URL,
      REDIS_URL: stack.env.REDIS_URL,
      QUEUE_PREFIX: stack.queuePrefix,
      SILHOUETTE_MASTER_KEY: stack.env.SILHOUETTE_MASTER_KEY,
      SILHOUETTE_PSEUDONYM_SECRET: stack.env.SILHOUETTE_PSEUDONYM_SECRET,
      LOG_LEVEL: 'silent',
    };
    const run = (args: string[], stdin?: string) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [CLI, ...args], { env });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk) => (stdout += chunk));
        child.stderr.on('data', (chunk) => (stderr += chunk));
        child.stdin.end(stdin ?? '');
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
    const piped = await run(
      [
        'user',
        'create',
        '--tenant',
        'acme',
        '--email',
        'dev@example.com',
        '--scope',
        'admin',
        '--password-stdin',
        '--json',
      ],
      `${PASSWORD}\n`,
    );
    expect(piped.stderr).toBe('');
    expect(piped.code).toBe(0);
    expect(JSON.parse(piped.stdout)).toMatchObject({ email: 'dev@example.com', scope: 'admin' });
    expect(piped.stdout).not.toContain(PASSWORD);
    const signedIn = await signIn({ tenant: 'acme', email: 'dev@example.com', password: PASSWORD });
    expect(signedIn.body.scope).toBe('admin');

    const generated = await run([
      'user',
      'create',
      '--tenant',
      'acme',
      '--email',
      'ops@example.com',
      '--scope',
      'read',
    ]);
    expect(generated.code).toBe(0);
    const password = /password .*: (\S+)/.exec(generated.stdout)?.[1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(
      (await signIn({ tenant: 'acme', email: 'ops@example.com', password: password! })).status,
    ).toBe(200);

    const bad = await run([
      'user',
      'create',
      '--tenant',
      'acme',
      '--email',
      'x@example.com',
      '--scope',
      'ingest',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--scope');
    const duplicate = await run([
      'user',
      'create',
      '--tenant',
      'acme',
      '--email',
      'dev@example.com',
      '--scope',
      'read',
    ]);
    expect(duplicate.code).toBe(2);
    expect(duplicate.stderr).toContain('already exists');
  }, 180_000); // four CLI processes, each starting the app: slow on a loaded machine

  it('never writes a password to the logs', () => {
    const logs = stack.logs();
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(PASSWORD);
    expect(logs).not.toContain('nope nope nope');
  });
});
