/**
 * `silhouette ask --tenant SLUG [--json] "question"`: the same answer as `POST /v1/ask`, from the
 * tenant's latest published snapshot (LLM mode when an endpoint is configured, offline otherwise).
 * `silhouette mcp --tenant SLUG`: the analyst's MCP server on stdin/stdout for one tenant.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { askRequestSchema, type AskAnswer } from '@silhouette/contracts';
import { createAnalystMcpServer, createAskService } from '@silhouette/analyst';
import type { Env } from '@silhouette/config';
import { createLogger } from '@silhouette/telemetry';
import { InputError } from '../cli-error';
import { requireTenant, withRuntime } from '../with-runtime';

export async function askCommand(
  env: Env,
  args: string[],
  flags: { tenant?: string; json?: boolean },
): Promise<AskAnswer> {
  const parsed = askRequestSchema.safeParse({ question: args.join(' ') });
  if (!parsed.success) {
    throw new InputError(
      `question: ${parsed.error.issues[0]!.message} (give it as the last argument, quoted)`,
    );
  }
  return withRuntime(env, 'ask', {}, async (runtime) => {
    const tenant = await requireTenant(runtime, flags.tenant);
    const answer = await createAskService(runtime.apiDb, env).ask(tenant.id, parsed.data.question);
    if (flags.json) {
      console.log(JSON.stringify(answer));
      return answer;
    }
    console.log(answer.answer);
    if (answer.reason) console.log(`  ${answer.status}: ${answer.reason}`);
    for (const figure of answer.figures) {
      const interval = figure.interval
        ? ` (90% interval ${figure.interval.low} to ${figure.interval.high})`
        : '';
      console.log(`  ${figure.shown} = ${figure.label}${interval}`);
    }
    if (answer.snapshot_id) console.log(`  snapshot ${answer.snapshot_id}, ${answer.mode} mode`);
    if (answer.status === 'abstained' && answer.question_shapes) {
      console.log('  the offline analyst understands these question shapes:');
      for (const shape of answer.question_shapes) console.log(`    - ${shape}`);
    }
    return answer;
  });
}

/** Serves MCP over stdio until the client closes stdin. Logs go to stderr: stdout is the protocol. */
export async function mcpCommand(env: Env, flags: { tenant?: string }): Promise<void> {
  const logger = createLogger({ level: env.LOG_LEVEL, destination: process.stderr });
  await withRuntime(env, 'mcp', { logger }, async (runtime) => {
    const tenant = await requireTenant(runtime, flags.tenant);
    const server = createAnalystMcpServer(createAskService(runtime.apiDb, env), tenant.id);
    const closed = new Promise<void>((resolve) => {
      server.server.onclose = () => resolve();
      process.stdin.once('end', () => resolve());
    });
    await server.connect(new StdioServerTransport());
    logger.info({ tenant: tenant.slug }, 'MCP server on stdio');
    await closed;
    await server.close();
  });
}
