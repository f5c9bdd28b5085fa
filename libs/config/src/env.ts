/**
 * Environment schemas, parsed once at start-up. Fails fast with one readable message naming
 * every bad variable. Empty strings count as unset. Sensitive values are never printed.
 */
import { z } from 'zod';

const unsetIfEmpty = (value: unknown) => (value === '' ? undefined : value);
const optionalString = z.preprocess(unsetIfEmpty, z.string().optional());
const intWithDefault = (fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.preprocess(unsetIfEmpty, z.coerce.number().int().min(min).max(max).default(fallback));

/** Variables whose values must never appear in logs, errors or `describeConfig`. */
export const SENSITIVE_ENV = new Set([
  'DATABASE_URL',
  'API_DATABASE_URL',
  'REDIS_URL',
  'SILHOUETTE_MASTER_KEY',
  'SILHOUETTE_PREVIOUS_MASTER_KEY',
  'SILHOUETTE_PSEUDONYM_SECRET',
  'OPENAI_API_KEY',
  'SMTP_URL',
  'METRICS_TOKEN',
]);

/** dp defaults, chosen with `npm run bench -- dp` (README "Privacy"). */
export const DP_DEFAULTS = {
  epsilonPerMonth: 8,
  delta: 1e-6,
  maxConversationsPerWeek: 4,
  maxMinutesPerConversation: 60,
  maxMinutesPerPersonWeek: 120,
  backfillWeeks: 10,
} as const;

/**
 * A comma-separated list of `host` or `host:port`, normalised like URL hosts (`127.1` becomes
 * `127.0.0.1`, IPv6 in brackets), so an entry matches however a URL spells the host.
 */
const hostList = z.preprocess(
  (value) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((entry) => entry.trim())
          .filter(Boolean)
      : (value ?? []),
  z.array(
    z.string().transform((entry, context) => {
      try {
        const url = new URL(`http://${entry}`);
        if (url.pathname === '/' && !url.username && !url.password && !url.search && !url.hash)
          return url.port ? `${url.hostname}:${url.port}` : url.hostname;
      } catch {
        // reported below
      }
      context.addIssue({ code: 'custom', message: 'each entry must be a host or host:port' });
      return z.NEVER;
    }),
  ),
);

/** USD per million tokens of one model. */
const modelPrices = z.record(
  z.string().min(1).max(200),
  z.object({ input: z.number().min(0), output: z.number().min(0) }).strict(),
);
export type ModelPrices = z.infer<typeof modelPrices>;

/**
 * Built-in list prices (USD per 1M tokens) for the default models; `LLM_PRICES` adds or
 * replaces entries. A model without a price is counted but not priced, and a budget cannot
 * stop it: the estimate and the cost view name such models.
 */
export const DEFAULT_LLM_PRICES: ModelPrices = {
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'text-embedding-3-small': { input: 0.02, output: 0 },
};

/** The price table in force: the built-in prices with `LLM_PRICES` over them. */
export function llmPrices(env: Pick<Env, 'LLM_PRICES'>): ModelPrices {
  return { ...DEFAULT_LLM_PRICES, ...env.LLM_PRICES };
}

export const envSchema = z.object({
  NODE_ENV: z.preprocess(
    unsetIfEmpty,
    z.enum(['development', 'production', 'test']).default('development'),
  ),
  LOG_LEVEL: z.preprocess(
    unsetIfEmpty,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  PORT: intWithDefault(3000, 0, 65535),
  HOST: z.preprocess(unsetIfEmpty, z.string().default('127.0.0.1')),
  SILHOUETTE_DATA_DIR: z.preprocess(unsetIfEmpty, z.string().default('./.silhouette')),
  /** Server mode: PostgreSQL with pgvector. Owner/worker connection; runs migrations. */
  DATABASE_URL: optionalString,
  /** Server mode: the API's own login role (member of silhouette_api). Falls back to DATABASE_URL + SET ROLE. */
  API_DATABASE_URL: optionalString,
  /** Server mode: BullMQ on Redis. */
  REDIS_URL: optionalString,
  /** Redis key prefix of the queues, so several deployments can share one Redis. */
  QUEUE_PREFIX: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/)
      .default('silhouette'),
  ),
  /** 32 bytes, base64 or hex. Wraps the per-tenant sealing keys. Worker-side only. */
  SILHOUETTE_MASTER_KEY: optionalString,
  /** Only for `silhouette keys rotate-master`: the key being replaced by SILHOUETTE_MASTER_KEY. */
  SILHOUETTE_PREVIOUS_MASTER_KEY: optionalString,
  /** Keyed HMAC secret for user pseudonyms (per-tenant keys are derived from it). API-side. */
  SILHOUETTE_PSEUDONYM_SECRET: optionalString,
  OPENAI_BASE_URL: optionalString,
  OPENAI_API_KEY: optionalString,
  TAG_MODEL: z.preprocess(unsetIfEmpty, z.string().default('gpt-4o-mini')),
  NAME_MODEL: z.preprocess(unsetIfEmpty, z.string().default('gpt-4o-mini')),
  AUDIT_MODEL: z.preprocess(unsetIfEmpty, z.string().default('gpt-4o-mini')),
  EMBEDDING_MODEL: z.preprocess(unsetIfEmpty, z.string().default('text-embedding-3-small')),
  /** Ask (the analyst agent): its model (default TAG_MODEL), model calls and tokens per question. */
  ASK_MODEL: optionalString,
  ASK_MAX_STEPS: intWithDefault(8, 2, 50),
  ASK_MAX_TOKENS: intWithDefault(40_000, 1000),
  /**
   * Where embeddings come from: `auto` (the OpenAI-compatible endpoint when one is configured,
   * otherwise offline), `openai` or `offline` (e.g. an endpoint that serves chat but no
   * embeddings). A failing endpoint never falls back to offline by itself: the run fails.
   */
  EMBEDDING_PROVIDER: z.preprocess(
    unsetIfEmpty,
    z.enum(['auto', 'openai', 'offline']).default('auto'),
  ),
  /**
   * OpenAI-compatible embeddings: vector length (sent as `dimensions`). The offline embedder uses
   * 96. Up to pgvector's 16,000 (no HNSW index on embeddings since migration 0020).
   */
  EMBEDDING_DIMENSION: intWithDefault(1536, 8, 16_000),
  /** Cluster tree shape: levels including the base, and groups at the top. */
  CLUSTER_LEVELS: intWithDefault(3, 1, 5),
  CLUSTER_TOP_K: intWithDefault(7, 2, 30),
  /** New conversations join the last run between full re-clusterings, at most this long. */
  CLUSTER_FULL_EVERY_DAYS: intWithDefault(7, 1, 365),
  /** OpenAI-compatible client: per-call timeout, attempts, in-flight calls and token budget. */
  LLM_TIMEOUT_MS: intWithDefault(60_000, 100),
  LLM_MAX_ATTEMPTS: intWithDefault(5, 1, 20),
  LLM_CONCURRENCY: intWithDefault(8, 1, 512),
  LLM_TOKENS_PER_MINUTE: z.preprocess(unsetIfEmpty, z.coerce.number().int().min(1000).optional()),
  /** Where to start: OpenAI reasoning models want max_completion_tokens. A 400 naming it switches. */
  LLM_MAX_TOKENS_PARAMETER: z.preprocess(
    unsetIfEmpty,
    z.enum(['max_tokens', 'max_completion_tokens']).default('max_tokens'),
  ),
  /**
   * Structured output the endpoint is asked for first: `auto` starts at strict `json_schema` and
   * steps down to `json_object`, then plain text (schema in the prompt) when the endpoint
   * rejects a mode; the others start there (for endpoints that ignore `response_format` silently).
   */
  LLM_STRUCTURED_OUTPUT: z.preprocess(
    unsetIfEmpty,
    z.enum(['auto', 'json_schema', 'json_object', 'text']).default('auto'),
  ),
  /**
   * Cost control (issue #15): the deployment's monthly LLM budget in USD over every tenant
   * (unset: none). Tenants can have their own on top. Reached: tagging pauses until next month.
   */
  LLM_BUDGET_USD_PER_MONTH: z.preprocess(unsetIfEmpty, z.coerce.number().min(0).optional()),
  /**
   * Prices in USD per million tokens, by model name as configured (TAG_MODEL, …): JSON such as
   * `{"my-model": {"input": 0.5, "output": 1.5}}`, merged over the built-in table.
   */
  LLM_PRICES: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .optional()
      .transform((value, context) => {
        if (value === undefined) return {};
        let parsed: unknown;
        try {
          parsed = JSON.parse(value);
        } catch {
          context.addIssue({ code: 'custom', message: 'must be a JSON object' });
          return z.NEVER;
        }
        const result = modelPrices.safeParse(parsed);
        if (!result.success) {
          const issue = result.error.issues[0]!;
          context.addIssue({
            code: 'custom',
            message: `${issue.path.join('.') || '(root)'}: ${issue.message}`,
          });
          return z.NEVER;
        }
        return result.data;
      }),
  ),
  K_USERS: intWithDefault(5, 2),
  MIN_CONVERSATIONS: intWithDefault(10, 2),
  /** Ingest limits; exceeding one answers 413 naming it. */
  INGEST_MAX_RECORDS: intWithDefault(1000, 1),
  INGEST_MAX_REQUEST_BYTES: intWithDefault(10 * 1024 * 1024, 1024),
  INGEST_MAX_MESSAGE_BYTES: intWithDefault(256 * 1024, 64),
  /** Queue tuning (both drivers). */
  TAG_CONCURRENCY: intWithDefault(8, 1, 512),
  JOB_ATTEMPTS: intWithDefault(5, 1, 50),
  JOB_BACKOFF_MS: intWithDefault(2000, 0),
  /** BullMQ: how long a job's lock lives; a worker killed mid-job has its jobs retried after this. */
  JOB_LOCK_MS: intWithDefault(30_000, 1000),
  /** How often the worker re-enqueues accepted conversations with no live job (seconds). */
  RECONCILE_INTERVAL_S: intWithDefault(60, 1),
  /**
   * A conversation that grew (or arrived over OTLP) is tagged once it has been idle this long
   * (seconds): tagging every turn of a live conversation would pay a model call per turn.
   */
  CONVERSATION_IDLE_S: intWithDefault(600, 0),
  /** How often the worker publishes snapshots for tenants with newly tagged conversations. */
  PUBLISH_INTERVAL_S: intWithDefault(30, 1),
  RATE_LIMIT_PER_MINUTE: intWithDefault(600, 1),
  /**
   * `/metrics` (Prometheus) answers only `Authorization: Bearer <METRICS_TOKEN>`; unset, the route
   * does not exist. Its counters name every tenant, so no tenant key opens it (issue #10).
   */
  METRICS_TOKEN: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .min(16, 'must be at least 16 characters (e.g. `openssl rand -hex 32`)')
      .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
      .optional(),
  ),
  /**
   * `dp` (default): every published figure is user-level differentially private under a monthly
   * budget (README "Privacy"). `threshold`: exact figures under k-thresholds only, for
   * deployments and tests where exact figures are the point.
   */
  PRIVACY_MODE: z.preprocess(unsetIfEmpty, z.enum(['dp', 'threshold']).default('dp')),
  /** dp mode: how often automatic publications happen (each spends budget). */
  PUBLISH_CADENCE: z.preprocess(
    unsetIfEmpty,
    z.enum(['hourly', 'daily', 'weekly']).default('daily'),
  ),
  /** dp mode: the deployment's monthly cap per tenant; tenants may only spend less. */
  DP_EPSILON_PER_MONTH: z.preprocess(
    unsetIfEmpty,
    z.coerce.number().gt(0).max(100).default(DP_DEFAULTS.epsilonPerMonth),
  ),
  DP_DELTA: z.preprocess(
    unsetIfEmpty,
    z.coerce.number().gt(0).max(1e-3).default(DP_DEFAULTS.delta),
  ),
  /** dp mode contribution bounds, per person and ISO week. */
  DP_MAX_CONVERSATIONS_PER_WEEK: intWithDefault(DP_DEFAULTS.maxConversationsPerWeek, 1, 1000),
  DP_MAX_MINUTES_PER_CONVERSATION: intWithDefault(DP_DEFAULTS.maxMinutesPerConversation, 1, 480),
  DP_MAX_MINUTES_PER_PERSON_WEEK: intWithDefault(DP_DEFAULTS.maxMinutesPerPersonWeek, 1, 10_000),
  /** dp mode: closed weeks before its creation a tenant's first publication releases. */
  DP_BACKFILL_WEEKS: intWithDefault(DP_DEFAULTS.backfillWeeks, 0, 104),
  /** Reports: SMTP server for e-mail delivery (smtp:// or smtps://, credentials in the URL). */
  SMTP_URL: optionalString,
  REPORT_MAIL_FROM: z.preprocess(
    unsetIfEmpty,
    z.string().default('Silhouette reports <reports@localhost>'),
  ),
  /** Shortest allowed gap between two runs of one report schedule (seconds). */
  REPORT_MIN_INTERVAL_S: intWithDefault(3600, 1),
  /** After an outage, at most this many missed schedule times per schedule are produced. */
  REPORT_MAX_CATCH_UP: intWithDefault(12, 1, 1000),
  /**
   * Webhooks reach public addresses only; these hosts (`host` or `host:port`, comma-separated)
   * are the operator's exceptions, e.g. a receiver on a private network (issue #10).
   */
  WEBHOOK_ALLOW_HOSTS: hostList,
  /** Absolute URL of the dashboard, for links in reports (relative links when unset). */
  PUBLIC_URL: optionalString,
  /** Chromium for PDF reports. */
  CHROMIUM_PATH: z.preprocess(unsetIfEmpty, z.string().default('/usr/bin/chromium')),
  /** Failed password sign-ins allowed per account, and per client address, in one window. */
  SIGN_IN_MAX_FAILURES_PER_ACCOUNT: intWithDefault(5, 1),
  SIGN_IN_MAX_FAILURES_PER_IP: intWithDefault(50, 1),
  SIGN_IN_WINDOW_S: intWithDefault(900, 1),
});

export type Env = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  readonly code = 'invalid_config';
}

export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = issue.path.join('.');
      // Never echo the received value: it may be a secret.
      return `${name}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  return result.data;
}

export type RunMode = 'embedded' | 'server';

export function runMode(env: Pick<Env, 'DATABASE_URL'>): RunMode {
  return env.DATABASE_URL ? 'server' : 'embedded';
}

/** The LLM endpoint is used only when one of these is set (offline providers otherwise). */
export function llmConfigured(env: Pick<Env, 'OPENAI_BASE_URL' | 'OPENAI_API_KEY'>): boolean {
  return Boolean(env.OPENAI_BASE_URL || env.OPENAI_API_KEY);
}

/** Embeddings come from the OpenAI-compatible endpoint (else the offline embedder). */
export function embeddingsFromEndpoint(
  env: Pick<Env, 'EMBEDDING_PROVIDER' | 'OPENAI_BASE_URL' | 'OPENAI_API_KEY'>,
): boolean {
  return (
    env.EMBEDDING_PROVIDER === 'openai' || (env.EMBEDDING_PROVIDER === 'auto' && llmConfigured(env))
  );
}

/** Printable view of the configuration with sensitive values replaced. */
export function describeConfig(env: Env): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(env).map(([key, value]) => [
      key,
      SENSITIVE_ENV.has(key) && value !== undefined ? '[set]' : value,
    ]),
  );
}
