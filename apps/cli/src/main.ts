/**
 * The `silhouette` command line. Works in both modes against the configured database.
 * Exit codes: 0 success, 2 bad usage or bad input, 1 failure; errors are one line on stderr.
 */
import { parseArgs } from 'node:util';
import { ConfigError, parseEnv } from '@silhouette/config';
import { MigrationStateError } from '@silhouette/db';
import { InputError, UsageError } from './cli-error';
import { estimateCommand } from './commands/estimate.command';
import { askCommand, mcpCommand } from './commands/ask.command';
import { evalClustersCommand } from './commands/eval-clusters.command';
import { evidenceCommand } from './commands/evidence.command';
import { exportCommand } from './commands/export.command';
import { processCommand } from './commands/process.command';
import { importCommand } from './commands/import.command';
import { nothingUsable } from './commands/ingest-batches';
import { ingestCommand } from './commands/ingest.command';
import { keysCommand } from './commands/keys.command';
import { migrateCommand } from './commands/migrate.command';
import { retagCommand } from './commands/retag.command';
import { retryFailedCommand } from './commands/retry-failed.command';
import { reportCommand } from './commands/report.command';
import { startCommand } from './commands/start.command';
import { statusCommand } from './commands/status.command';
import { tenantCommand } from './commands/tenant.command';
import { userCommand } from './commands/user.command';

const USAGE = `usage: silhouette <command> [options]

commands:
  start [--migrate] [--role all|api|worker] [--no-demo]   serve API + dashboard and run the worker
  migrate [--status] [--json]                             apply (or list) database migrations
  tenant create SLUG [--name NAME] [--json]               create a tenant; prints its keys once
  tenant rotate-key SLUG [--json]                         new sealing key for the tenant's new conversations
  keys rotate-master [--json]                             re-wrap tenant keys under a new master key (README)
  user create --tenant SLUG --email EMAIL --scope read|admin [--password-stdin] [--json]
                                                          a dashboard user; without --password-stdin
                                                          a password is generated and printed once
  ingest FILE|- --tenant SLUG [--format auto|openai|anthropic|sharegpt] [--json]
  import langfuse|langsmith FILE|- --tenant SLUG [--json]
                                                          Langfuse traces (sessions) or LangSmith runs
                                                          (threads) as conversations
  status --tenant SLUG [--json]                           pipeline counts and recent failures
  estimate --tenant SLUG [--json]                         tokens and cost of tagging the backlog, naming
                                                          and auditing, before anything is sent
  process --tenant SLUG [--json]                          tag, embed, cluster and publish to completion
  export --tenant SLUG --out DIR [--json]                 write what the tenant's users can see
  evidence --tenant SLUG [--snapshot ID] [--json]         the operator's privacy evidence (names suppressed cells)
  report --tenant SLUG --type impact|quality --out DIR [--period last-week|last-month|weeks:N|FROM..TO]
         [--formats html,pdf,csv] [--json]                 render a report from the published snapshot
  retry-failed [--tenant SLUG] [--json]                   re-enqueue dead-lettered conversations
  retag --tenant SLUG [--json]                            re-tag retained conversations with the current prompt
  ask --tenant SLUG [--json] "QUESTION"                  answer from the published insights; every number cited
  mcp --tenant SLUG                                       MCP server (stdio) with the analyst's tools and ask
  eval-clusters --input FILE.jsonl [--text-field text] [--label-field label] [--parent-label-field F]
                [--k N] [--parent-k M] [--out assignments.jsonl] [--json]
                                                          clustering quality on labelled texts

progress: long commands (ingest, process, eval-clusters) draw a live line on stderr when it is a
terminal; with --json or off a terminal they write one JSON line per stage to stderr instead.

environment: DATABASE_URL and REDIS_URL select server mode; see README.md for the rest.`;

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        tenant: { type: 'string' },
        email: { type: 'string' },
        scope: { type: 'string' },
        'password-stdin': { type: 'boolean' },
        format: { type: 'string' },
        name: { type: 'string' },
        input: { type: 'string' },
        out: { type: 'string' },
        'text-field': { type: 'string' },
        'label-field': { type: 'string' },
        'parent-label-field': { type: 'string' },
        k: { type: 'string' },
        'parent-k': { type: 'string' },
        role: { type: 'string' },
        type: { type: 'string' },
        period: { type: 'string' },
        formats: { type: 'string' },
        snapshot: { type: 'string' },
        json: { type: 'boolean' },
        migrate: { type: 'boolean' },
        status: { type: 'boolean' },
        'no-demo': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    console.error(`silhouette: ${(error as Error).message}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...args] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return command || values.help ? 0 : 2;
  }
  try {
    const env = parseEnv();
    switch (command) {
      case 'start':
        await startCommand(env, {
          migrate: values.migrate ?? false,
          ...(values.role ? { role: values.role } : {}),
          demo: !values['no-demo'],
        });
        return -1; // keeps running
      case 'migrate':
        await migrateCommand(env, { status: values.status ?? false, json: values.json ?? false });
        return 0;
      case 'tenant':
        await tenantCommand(env, args, {
          ...(values.name ? { name: values.name } : {}),
          json: values.json ?? false,
        });
        return 0;
      case 'user':
        await userCommand(env, args, {
          ...(values.tenant ? { tenant: values.tenant } : {}),
          ...(values.email ? { email: values.email } : {}),
          ...(values.scope ? { scope: values.scope } : {}),
          passwordStdin: values['password-stdin'] ?? false,
          json: values.json ?? false,
        });
        return 0;
      case 'ingest': {
        const result = await ingestCommand(env, args, {
          ...(values.tenant ? { tenant: values.tenant } : {}),
          ...(values.format ? { format: values.format } : {}),
          json: values.json ?? false,
        });
        // Some records rejected and none stored: bad input.
        return nothingUsable(result) ? 2 : 0;
      }
      case 'import': {
        const result = await importCommand(env, args, {
          ...(values.tenant ? { tenant: values.tenant } : {}),
          json: values.json ?? false,
        });
        return nothingUsable(result) ? 2 : 0;
      }
      case 'estimate':
        await estimateCommand(env, {
          ...(values.tenant ? { tenant: values.tenant } : {}),
          json: values.json ?? false,
        });
        return 0;
      case 'status':
        await statusCommand(env, {
          ...(values.tenant ? { tenant: values.tenant } : {}),
          json: values.json ?? false,
        });
        return 0;
      case 'process':
        await processCommand(env, {
          ...(values.tenant ? { tenant: values.tenant } : {}),
          json: values.json ?? false,
        });
        return 0;
      case 'export':
        await exportCommand(env, {
          ...(values.tenant ? { tenant: values.tenant } : {}),
          ...(values.out ? { out: values.out } : {}),
          json: values.json ?? false,
        });
        return 0;
      case 'evidence':
        await evidenceCommand(env, {
          ...(values.tenant ? { tenant: values.tenant } : {}),
          ...(values.snapshot ? { snapshot: values.snapshot } : {}),
          json: values.json ?? false,
        });
        return 0;
      case 'report':
        await reportCommand(env, {
          ...(values.tenant ? { tenant: values.tenant } : {}),
          ...(values.type ? { type: values.type } : {}),
          ...(values.period ? { period: values.period } : {}),
          ...(values.out ? { out: values.out } : {}),
          ...(values.formats ? { formats: values.formats } : {}),
          json: values.json ?? false,
        });
        return 0;
      case 'eval-clusters': {
        const metrics = await evalClustersCommand({
          ...(values.input ? { input: values.input } : {}),
          ...(values['text-field'] ? { textField: values['text-field'] } : {}),
          ...(values['label-field'] ? { labelField: values['label-field'] } : {}),
          ...(values['parent-label-field']
            ? { parentLabelField: values['parent-label-field'] }
            : {}),
          ...(values.k ? { k: values.k } : {}),
          ...(values['parent-k'] ? { parentK: values['parent-k'] } : {}),
          ...(values.out ? { out: values.out } : {}),
          json: values.json ?? false,
        });
        console.log(JSON.stringify(metrics));
        return 0;
      }
      case 'ask':
        await askCommand(env, args, {
          ...(values.tenant ? { tenant: values.tenant } : {}),
          json: values.json ?? false,
        });
        return 0;
      case 'mcp':
        await mcpCommand(env, { ...(values.tenant ? { tenant: values.tenant } : {}) });
        return 0;
      case 'retag':
        await retagCommand(env, {
          ...(values.tenant ? { tenant: values.tenant } : {}),
          json: values.json ?? false,
        });
        return 0;
      case 'keys':
        await keysCommand(env, args, { json: values.json ?? false });
        return 0;
      case 'retry-failed':
        await retryFailedCommand(env, {
          ...(values.tenant ? { tenant: values.tenant } : {}),
          json: values.json ?? false,
        });
        return 0;
      default:
        throw new UsageError(`unknown command "${command}"\n${USAGE}`);
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`silhouette: ${message}`);
    if (error instanceof UsageError || error instanceof InputError || error instanceof ConfigError)
      return 2;
    if (error instanceof MigrationStateError) return 1;
    return 1;
  }
}
