/**
 * The OpenAPI document served at /docs/openapi.json. Request and response schemas come from the
 * same zod schemas the handlers validate with, so the document cannot drift from the code.
 */
import { z } from 'zod';
import {
  askAnswerSchema,
  askRequestSchema,
  breakdownResponseSchema,
  budgetResponseSchema,
  clusterDetailResponseSchema,
  clusterListResponseSchema,
  errorBodySchema,
  evidenceResponseSchema,
  failuresResponseSchema,
  createdUserSchema,
  createUserRequestSchema,
  customFacetInputSchema,
  customFacetListSchema,
  customFacetSchema,
  mapResponseSchema,
  publishedCustomFacetsSchema,
  keySignInSchema,
  passwordSignInSchema,
  userListResponseSchema,
  overviewResponseSchema,
  pipelineStatusSchema,
  sessionResponseSchema,
  tenantInfoSchema,
  trendsResponseSchema,
  ingestResultSchema,
} from '@silhouette/contracts';
import { API_KEY_SCOPES } from '@silhouette/db';
import { alertAndCostPaths } from './openapi-alerts-cost';
import { INGEST_FORMATS } from '@silhouette/ingest';
import {
  createReportScheduleSchema,
  requestReportSchema,
  updateReportScheduleSchema,
} from '@silhouette/contracts';

const json = (schema: z.ZodType) =>
  z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'output', unrepresentable: 'any' });

const apiKey = z.object({
  id: z.uuid(),
  scope: z.enum(API_KEY_SCOPES),
  label: z.string(),
  prefix: z.string(),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
});

const jsonBody = (schema: z.ZodType) => ({
  required: true,
  content: { 'application/json': { schema: json(schema) } },
});
const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});
/** Response and request bodies from libs/contracts, the schemas the controllers are typed by. */
const CONTRACT_SCHEMAS = {
  Error: errorBodySchema,
  Overview: overviewResponseSchema,
  ClusterList: clusterListResponseSchema,
  ClusterDetail: clusterDetailResponseSchema,
  Failures: failuresResponseSchema,
  Breakdown: breakdownResponseSchema,
  Trends: trendsResponseSchema,
  Evidence: evidenceResponseSchema,
  Budget: budgetResponseSchema,
  Tenant: tenantInfoSchema,
  PipelineStatus: pipelineStatusSchema,
  Session: sessionResponseSchema,
  KeySignIn: keySignInSchema,
  PasswordSignIn: passwordSignInSchema,
  CreateUser: createUserRequestSchema,
  CreatedUser: createdUserSchema,
  UserList: userListResponseSchema,
  CustomFacetInput: customFacetInputSchema,
  CustomFacet: customFacetSchema,
  CustomFacetList: customFacetListSchema,
  Map: mapResponseSchema,
  PublishedCustomFacets: publishedCustomFacetsSchema,
  AskRequest: askRequestSchema,
  AskAnswer: askAnswerSchema,
} satisfies Record<string, z.ZodType>;
const ref = (name: keyof typeof CONTRACT_SCHEMAS | 'IngestResult' | 'ApiKey') => ({
  $ref: `#/components/schemas/${name}`,
});

const ok = (description: string, schema?: object) => ({
  description,
  ...(schema ? { content: { 'application/json': { schema } } } : {}),
});
const secured = (scopes: string) => ({
  security: [{ apiKey: [] }],
  description: `Requires a key with scope ${scopes}.`,
  responses: {} as Record<string, unknown>,
});

export function buildOpenApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: {
      title: 'Silhouette API',
      version: '0.1.0',
      description:
        'Privacy-preserving conversation analytics. Conversations are sealed at ingest; only thresholded aggregates are ever readable.',
    },
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'sil_<scope>_… API key' },
        metricsToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'The operator’s METRICS_TOKEN (no tenant key opens /metrics)',
        },
      },
      schemas: {
        ...Object.fromEntries(
          Object.entries(CONTRACT_SCHEMAS).map(([name, schema]) => [name, json(schema)]),
        ),
        IngestResult: json(ingestResultSchema),
        ApiKey: json(apiKey),
      },
    },
    paths: {
      ...alertAndCostPaths(),
      '/health': { get: { summary: 'Liveness', responses: { 200: ok('The process is up') } } },
      '/ready': {
        get: {
          summary: 'Readiness: database and queue reachable, not shutting down',
          responses: { 200: ok('Ready'), 503: ok('Not ready, with the failing checks') },
        },
      },
      '/metrics': {
        get: {
          security: [{ metricsToken: [] }],
          summary: 'Prometheus metrics, for the operator (counters are labelled by tenant)',
          description:
            'Exists only when the operator sets METRICS_TOKEN; answers only Authorization: Bearer <METRICS_TOKEN>.',
          responses: {
            200: ok('Text exposition format'),
            401: errorResponse('Missing or wrong metrics token (audit-logged)'),
            404: errorResponse('METRICS_TOKEN is not set: no such route'),
          },
        },
      },
      '/v1/conversations': {
        post: {
          ...secured('ingest'),
          summary:
            'Ingest conversations (JSON array or JSON lines; OpenAI, Anthropic or ShareGPT records)',
          parameters: [
            {
              name: 'format',
              in: 'query',
              schema: { type: 'string', enum: INGEST_FORMATS, default: 'auto' },
            },
          ],
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: { type: 'array', items: { type: 'object' } } },
              'application/x-ndjson': { schema: { type: 'string' } },
            },
          },
          responses: {
            200: ok('Per-record results', ref('IngestResult')),
            400: errorResponse(
              'Body unreadable, or every record rejected (then the body is an IngestResult)',
            ),
            401: errorResponse('Missing, unknown or revoked key'),
            413: errorResponse('A limit was exceeded; `limit` names it. Nothing was stored.'),
            429: errorResponse('Rate limited; see Retry-After'),
          },
        },
      },
      '/otlp/v1/traces': {
        post: {
          ...secured('ingest'),
          summary:
            'OTLP/HTTP trace export (OpenTelemetry GenAI spans become conversations); see the README, "Connect your assistant"',
          requestBody: {
            required: true,
            content: {
              'application/x-protobuf': {
                schema: {
                  type: 'string',
                  format: 'binary',
                  description: 'ExportTraceServiceRequest',
                },
              },
              'application/json': {
                schema: { type: 'object', description: 'ExportTraceServiceRequest (OTLP/JSON)' },
              },
            },
          },
          responses: {
            200: {
              description:
                'ExportTraceServiceResponse in the request encoding: empty, or partial_success with rejected_spans and error_message',
            },
            400: { description: 'Undecodable request; a google.rpc.Status body' },
            401: errorResponse('Missing, unknown or revoked key'),
            413: { description: 'Over max_request_bytes; a google.rpc.Status body' },
            415: { description: 'Content-Type or Content-Encoding not supported' },
            429: errorResponse('Rate limited; see Retry-After'),
          },
        },
      },
      '/v1/tenant': {
        get: {
          ...secured('read, ingest or admin'),
          summary: 'The tenant of the presented key',
          responses: { 200: ok('Tenant', ref('Tenant')) },
        },
      },
      '/v1/status': {
        get: {
          ...secured('ingest or admin'),
          summary: 'Pipeline progress (counts only)',
          responses: { 200: ok('Counts per stage', ref('PipelineStatus')) },
        },
      },
      '/v1/admin/keys': {
        get: {
          ...secured('admin'),
          summary: 'List API keys (never the keys themselves)',
          responses: { 200: ok('Keys') },
        },
        post: {
          ...secured('admin'),
          summary: 'Create an API key; the key is returned once',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    scope: { type: 'string', enum: API_KEY_SCOPES },
                    label: { type: 'string' },
                  },
                  required: ['scope'],
                },
              },
            },
          },
          responses: {
            201: ok('Created', ref('ApiKey')),
            400: errorResponse('Invalid field'),
          },
        },
      },
      '/v1/admin/keys/{id}': {
        delete: {
          ...secured('admin'),
          summary: 'Revoke an API key',
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
          ],
          responses: { 204: ok('Revoked'), 404: errorResponse('No such key in this tenant') },
        },
      },
      '/v1/admin/settings': {
        get: {
          ...secured('admin'),
          summary: 'Privacy thresholds and retention',
          responses: { 200: ok('Settings') },
        },
        patch: {
          ...secured('admin'),
          summary:
            'Raise thresholds or change retention (thresholds can never go below the deployment minimum)',
          responses: { 200: ok('Updated settings'), 400: errorResponse('Invalid field') },
        },
      },
      '/v1/admin/erasure': {
        post: {
          ...secured('admin'),
          summary: "Erase all of one user's conversations and derived data",
          responses: { 202: ok('Queued'), 400: errorResponse('Invalid field') },
        },
      },
      '/v1/ask': {
        post: {
          ...secured('read or admin'),
          summary:
            'Ask a question about the published insights: every number in the answer is a published figure (listed with its snapshot), or it abstains or refuses and says why',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: ref('AskRequest') } },
          },
          responses: {
            200: ok('The structured answer', ref('AskAnswer')),
            400: errorResponse('Invalid field (the question is at most 500 characters)'),
          },
        },
      },
      '/mcp': {
        post: {
          ...secured('read or admin'),
          summary:
            'MCP over streamable HTTP (stateless JSON-RPC): the analyst tools and `ask` for the tenant of the key',
          responses: { 200: ok('JSON-RPC response') },
        },
      },
      '/v1/insights/overview': {
        get: {
          ...secured('read or admin'),
          summary:
            'Overview of the latest published snapshot; with from/to, that period against the one before it',
          parameters: [
            { name: 'from', in: 'query', schema: { type: 'string', format: 'date' } },
            { name: 'to', in: 'query', schema: { type: 'string', format: 'date' } },
          ],
          responses: {
            200: ok('Overview', ref('Overview')),
            400: errorResponse('Invalid parameter'),
            404: errorResponse('Nothing published yet'),
          },
        },
      },
      '/v1/insights/clusters': {
        get: {
          ...secured('read or admin'),
          summary: 'The cluster tree: one level (default 0, the top) or the children of a parent',
          parameters: [
            { name: 'level', in: 'query', schema: { type: 'integer', minimum: 0 } },
            { name: 'parent', in: 'query', schema: { type: 'string', format: 'uuid' } },
            {
              name: 'limit',
              in: 'query',
              schema: { type: 'integer', minimum: 1, maximum: 2000, default: 500 },
            },
            {
              name: 'cursor',
              in: 'query',
              description: '`next_cursor` of the previous page; pages stay on its snapshot',
              schema: { type: 'string' },
            },
          ],
          responses: {
            200: ok('Clusters', ref('ClusterList')),
            400: errorResponse('Invalid parameter'),
          },
        },
      },
      '/v1/insights/clusters/{id}': {
        get: {
          ...secured('read or admin'),
          summary: 'One cluster: metrics, goals, breakdowns, weekly trend, children, lineage',
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
          ],
          responses: {
            200: ok('Cluster', ref('ClusterDetail')),
            404: errorResponse('No such cluster in this tenant'),
          },
        },
      },
      '/v1/insights/failures': {
        get: {
          ...secured('read or admin'),
          summary:
            'Clusters ranked by failure impact, with the trend of each since the previous snapshot',
          parameters: [
            { name: 'level', in: 'query', schema: { type: 'integer', minimum: 0 } },
            {
              name: 'limit',
              in: 'query',
              schema: { type: 'integer', minimum: 1, maximum: 1000, default: 200 },
            },
          ],
          responses: {
            200: ok('Ranked clusters', ref('Failures')),
            400: errorResponse('Invalid parameter'),
          },
        },
      },
      '/v1/insights/breakdown': {
        get: {
          ...secured('read or admin'),
          summary: 'A facet breakdown under the thresholds (small values pooled into "(other)")',
          parameters: [
            {
              name: 'facet',
              in: 'query',
              required: true,
              schema: { type: 'string' },
              description:
                'domain, task_type, outcome, language, team, department, or custom:<key> (a custom facet)',
            },
          ],
          responses: { 200: ok('Rows', ref('Breakdown')), 400: errorResponse('Invalid parameter') },
        },
      },
      '/v1/insights/trends': {
        get: {
          ...secured('read or admin'),
          summary:
            'Conversations per week or month by domain, task type or top-level cluster, gated per bucket',
          parameters: [
            {
              name: 'facet',
              in: 'query',
              required: true,
              schema: { type: 'string' },
              description: 'domain, task_type, cluster, or custom:<key> (a custom facet)',
            },
            {
              name: 'interval',
              in: 'query',
              schema: { type: 'string', enum: ['week', 'month'], default: 'week' },
            },
          ],
          responses: { 200: ok('Buckets', ref('Trends')), 400: errorResponse('Invalid parameter') },
        },
      },
      '/v1/insights/map': {
        get: {
          ...secured('read or admin'),
          summary:
            'The issues map ("what goes wrong", two levels, stable ids) or a short-text custom facet\'s map; each issue cluster lists the topic clusters it occurs in (published cells only)',
          parameters: [
            {
              name: 'name',
              in: 'query',
              schema: { type: 'string', default: 'issues' },
              description: '"issues" or custom:<key> of a short_text facet',
            },
          ],
          responses: { 200: ok('The map', ref('Map')), 400: errorResponse('Invalid name') },
        },
      },
      '/v1/insights/facets': {
        get: {
          ...secured('read or admin'),
          summary:
            'The custom facets to label breakdowns and trends by (facet=custom:<key>), and who answers them',
          responses: { 200: ok('Custom facets', ref('PublishedCustomFacets')) },
        },
      },
      '/v1/privacy/evidence': {
        get: {
          ...secured('read or admin'),
          summary: 'Privacy evidence of a snapshot (default: the latest)',
          parameters: [
            { name: 'snapshot', in: 'query', schema: { type: 'string', format: 'uuid' } },
          ],
          responses: {
            200: ok('Evidence', ref('Evidence')),
            404: errorResponse('No such snapshot in this tenant'),
          },
        },
      },
      '/v1/privacy/budget': {
        get: {
          ...secured('read or admin'),
          summary:
            "This month's differential-privacy budget: cap, spent, remaining, and every publication that spent it",
          responses: { 200: ok('Budget', ref('Budget')) },
        },
      },
      '/v1/session': {
        post: {
          summary:
            'Open a dashboard session (httpOnly SameSite=Strict cookie) with a read or admin API key, or with a user account (tenant slug, email, password)',
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: { oneOf: [ref('KeySignIn'), ref('PasswordSignIn')] } },
            },
          },
          responses: {
            200: ok('Signed in; the cookie is set and the CSRF token returned', ref('Session')),
            400: errorResponse('Invalid field'),
            401: errorResponse(
              'Unknown or revoked key; or wrong email, password, tenant, or a disabled user (one answer for all)',
            ),
            403: errorResponse('The key cannot open a dashboard session (ingest scope)'),
            429: errorResponse('Too many failed password sign-ins for the account or address'),
          },
        },
        get: {
          ...secured('read or admin (through the session cookie)'),
          summary: 'The current session and its CSRF token',
          responses: {
            200: ok('Session', ref('Session')),
            404: errorResponse('No session: an API key was used'),
          },
        },
        delete: {
          ...secured('read or admin (through the session cookie, with X-CSRF-Token)'),
          summary: 'Sign out',
          responses: { 204: ok('Signed out') },
        },
      },
      '/v1/admin/users': {
        get: {
          ...secured('admin'),
          summary: 'Dashboard user accounts of the tenant (never a password or hash)',
          responses: { 200: ok('Users', ref('UserList')) },
        },
        post: {
          ...secured('admin'),
          summary: 'Create a user; without a password, one is generated and returned once',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: ref('CreateUser') } },
          },
          responses: {
            201: ok('Created', ref('CreatedUser')),
            400: errorResponse('Invalid field'),
            409: errorResponse('The email already has an account in this tenant'),
          },
        },
      },
      '/v1/admin/users/{id}': {
        delete: {
          ...secured('admin'),
          summary: 'Disable a user; their sessions end at once',
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
          ],
          responses: {
            204: ok('Disabled'),
            404: errorResponse('No such enabled user in this tenant'),
          },
        },
      },
      '/v1/admin/facets': {
        get: {
          ...secured('admin'),
          summary:
            'Custom facets of the tenant, the tagger that answers them and the prompt budget they share',
          responses: { 200: ok('Custom facets', ref('CustomFacetList')) },
        },
        post: {
          ...secured('admin'),
          summary:
            'Define a custom facet (at most 10): key, question, type enum|boolean|number|short_text; offline keyword rules for enum and boolean',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: ref('CustomFacetInput') } },
          },
          responses: {
            201: ok('Created', ref('CustomFacet')),
            400: errorResponse(
              'Invalid field, or over the prompt budget (names the field to shorten)',
            ),
            409: errorResponse('The key exists, or the tenant already has 10 custom facets'),
          },
        },
      },
      '/v1/admin/facets/{id}': {
        patch: {
          ...secured('admin'),
          summary:
            'Change a custom facet (any fields; a new type needs all of its fields). Retag to answer it anew',
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
          ],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { type: 'object' } } },
          },
          responses: {
            200: ok('Updated', ref('CustomFacet')),
            400: errorResponse('Invalid field, or over the prompt budget'),
            404: errorResponse('No such custom facet in this tenant'),
            409: errorResponse('The key exists'),
          },
        },
        delete: {
          ...secured('admin'),
          summary: 'Delete a custom facet (its answers stay in earlier rows until re-tagged)',
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
          ],
          responses: {
            204: ok('Deleted'),
            404: errorResponse('No such custom facet in this tenant'),
          },
        },
      },
      '/v1/admin/audit-log': {
        get: {
          ...secured('admin'),
          summary: 'Who accessed what, when',
          responses: { 200: ok('Entries') },
        },
      },
      '/v1/report-schedules': {
        get: { ...secured('admin'), summary: 'Report schedules', responses: { 200: ok('List') } },
        post: {
          ...secured('admin'),
          summary: 'Create a report schedule (the webhook secret is returned once)',
          requestBody: jsonBody(createReportScheduleSchema),
          responses: { 201: ok('Created'), 400: errorResponse('Invalid field, named') },
        },
      },
      '/v1/report-schedules/{id}': {
        get: { ...secured('admin'), summary: 'One schedule', responses: { 200: ok('Schedule') } },
        patch: {
          ...secured('admin'),
          summary: 'Change a schedule (any subset of fields)',
          requestBody: jsonBody(updateReportScheduleSchema),
          responses: { 200: ok('Updated'), 400: errorResponse('Invalid field, named') },
        },
        delete: {
          ...secured('admin'),
          summary: 'Delete a schedule (its reports stay)',
          responses: { 204: ok('Deleted'), 404: errorResponse('No such schedule in this tenant') },
        },
      },
      '/v1/reports': {
        get: {
          ...secured('read or admin'),
          summary: "Reports, newest first (next page: `before` = this page's `next_before`)",
          parameters: [
            { name: 'limit', in: 'query', schema: { type: 'integer', default: 50 } },
            { name: 'before', in: 'query', schema: { type: 'string', format: 'uuid' } },
            { name: 'schedule', in: 'query', schema: { type: 'string', format: 'uuid' } },
          ],
          responses: { 200: ok('Reports with files and deliveries') },
        },
        post: {
          ...secured('admin'),
          summary: 'Request a report now; poll GET /v1/reports/{id} until ready or failed',
          requestBody: jsonBody(requestReportSchema),
          responses: { 202: ok('Accepted'), 400: errorResponse('Invalid field, named') },
        },
      },
      '/v1/reports/{id}': {
        get: {
          ...secured('read or admin'),
          summary: 'One report: status, failure reason, files, deliveries',
          responses: { 200: ok('Report'), 404: errorResponse('No such report in this tenant') },
        },
      },
      '/v1/reports/{id}/files/{name}': {
        get: {
          ...secured('read or admin'),
          summary: 'Download a report file (HTML, PDF or CSV)',
          responses: { 200: ok('The file'), 404: errorResponse('No such file in this tenant') },
        },
      },
    },
  };
}

/** For the paths kept in their own files (openapi-alerts-cost.ts). */
export const openApiHelpers = { json, ok, secured, jsonBody, errorResponse };
