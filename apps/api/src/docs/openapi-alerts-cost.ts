/** OpenAPI paths of alerts and cost control (issue #15), kept apart to keep openapi.ts readable. */
import {
  alertListSchema,
  alertRuleListSchema,
  alertRuleViewSchema,
  costSummarySchema,
  createAlertRuleSchema,
  estimateResponseSchema,
  updateAlertRuleSchema,
  updateCostSettingsSchema,
} from '@silhouette/contracts';
import { openApiHelpers } from './openapi';

export function alertAndCostPaths(): Record<string, unknown> {
  const { json, ok, secured, jsonBody, errorResponse } = openApiHelpers;
  const idParameter = {
    name: 'id',
    in: 'path',
    required: true,
    schema: { type: 'string', format: 'uuid' },
  };
  return {
    '/v1/admin/alerts': {
      get: {
        ...secured('admin'),
        summary: 'Alert rules',
        responses: { 200: ok('Rules', json(alertRuleListSchema)) },
      },
      post: {
        ...secured('admin'),
        summary: 'Create an alert rule (the webhook secret is returned once)',
        requestBody: jsonBody(createAlertRuleSchema),
        responses: {
          201: ok('Created', json(alertRuleViewSchema)),
          400: errorResponse('Invalid field, named'),
        },
      },
    },
    '/v1/admin/alerts/{id}': {
      get: {
        ...secured('admin'),
        summary: 'One alert rule',
        parameters: [idParameter],
        responses: {
          200: ok('Rule', json(alertRuleViewSchema)),
          404: errorResponse('No such rule'),
        },
      },
      patch: {
        ...secured('admin'),
        summary: 'Change an alert rule (any subset of fields)',
        parameters: [idParameter],
        requestBody: jsonBody(updateAlertRuleSchema),
        responses: {
          200: ok('Updated', json(alertRuleViewSchema)),
          400: errorResponse('Invalid field, named'),
        },
      },
      delete: {
        ...secured('admin'),
        summary: 'Delete an alert rule (its alerts stay listed)',
        parameters: [idParameter],
        responses: { 204: ok('Deleted'), 404: errorResponse('No such rule in this tenant') },
      },
    },
    '/v1/alerts': {
      get: {
        ...secured('read or admin'),
        summary: 'Raised alerts, newest first, with their delivery state',
        parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer', default: 100 } }],
        responses: { 200: ok('Alerts', json(alertListSchema)) },
      },
    },
    '/v1/cost': {
      get: {
        ...secured('admin'),
        summary: "This month's LLM spend, budgets, sampling, and Clio's cost for reference",
        responses: { 200: ok('Cost summary', json(costSummarySchema)) },
      },
    },
    '/v1/admin/cost': {
      patch: {
        ...secured('admin'),
        summary: "Set the tenant's monthly LLM budget and sample rate",
        requestBody: jsonBody(updateCostSettingsSchema),
        responses: {
          200: ok('Cost summary', json(costSummarySchema)),
          400: errorResponse('Invalid field, named'),
        },
      },
    },
    '/v1/admin/estimate': {
      get: {
        ...secured('admin'),
        summary:
          'Tokens and cost of tagging the backlog, naming and auditing, before anything is sent',
        responses: { 200: ok('Estimate', json(estimateResponseSchema)) },
      },
    },
  };
}
