import type { Env } from '@silhouette/config';
import {
  generatePassword,
  hashPassword,
  MIN_PASSWORD_LENGTH,
  USER_SCOPES,
  UserExistsError,
  UserRepository,
  type UserScope,
} from '@silhouette/db';
import { InputError, UsageError } from '../cli-error';
import { requireTenant, withRuntime } from '../with-runtime';

const USAGE =
  'usage: silhouette user create --tenant SLUG --email EMAIL --scope read|admin [--password-stdin] [--json]';

/** Reads the whole of stdin; a trailing newline (from `echo` or a file) is not part of the password. */
async function readStdin(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/**
 * `silhouette user create`: a dashboard user account of a tenant. The password is read from stdin
 * with `--password-stdin` (never from an argument, which would land in shell history and `ps`),
 * otherwise generated and printed once.
 */
export async function userCommand(
  env: Env,
  args: string[],
  flags: {
    tenant?: string;
    email?: string;
    scope?: string;
    passwordStdin?: boolean;
    json?: boolean;
    stdin?: NodeJS.ReadableStream;
  },
): Promise<void> {
  const [action] = args;
  if (action !== 'create') throw new UsageError(USAGE);
  const email = flags.email?.trim().toLowerCase();
  if (!email || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254)
    throw new InputError('--email: a valid email address is required');
  if (!USER_SCOPES.includes(flags.scope as UserScope))
    throw new InputError('--scope: must be read or admin');
  const scope = flags.scope as UserScope;
  let password: string;
  if (flags.passwordStdin) {
    password = await readStdin(flags.stdin ?? process.stdin);
    if (password.length < MIN_PASSWORD_LENGTH)
      throw new InputError(`password: at least ${MIN_PASSWORD_LENGTH} characters`);
  } else {
    password = generatePassword();
  }
  await withRuntime(env, 'user create', {}, async (runtime) => {
    const tenant = await requireTenant(runtime, flags.tenant);
    try {
      const user = await new UserRepository(runtime.ownerDb).create(
        tenant.id,
        email,
        scope,
        await hashPassword(password),
      );
      const generated = flags.passwordStdin ? undefined : password;
      if (flags.json) {
        console.log(
          JSON.stringify({
            id: user.id,
            tenant: tenant.slug,
            email: user.email,
            scope: user.scope,
            ...(generated ? { password: generated } : {}),
          }),
        );
      } else {
        console.log(`user ${user.email} (${user.scope}) created in tenant ${tenant.slug}`);
        if (generated)
          console.log(`  password (store it now, it is not shown again): ${generated}`);
      }
    } catch (error) {
      if (error instanceof UserExistsError) throw new InputError(`--email: ${error.message}`);
      throw error;
    }
  });
}
