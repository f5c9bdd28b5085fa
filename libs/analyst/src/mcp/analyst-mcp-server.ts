/**
 * The analyst's tools over MCP (official `@modelcontextprotocol/sdk`): the data tools with the
 * same zod schemas and the same session code as the agent, plus `ask`. One server is bound to
 * one tenant (stdio: `silhouette mcp --tenant SLUG`; HTTP: the tenant of the read key). Each call
 * reads the tenant's latest published snapshot, nothing else.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import { askRequestSchema, type AskAnswer } from '@silhouette/contracts';
import type { AskService } from '../ask.service';
import { DATA_TOOLS } from '../tools/analyst-tools';
import { NoSnapshotError } from '../tools/published-insights';

export const MCP_SERVER_NAME = 'silhouette-insights';

const text = (value: unknown): CallToolResult['content'] => [
  { type: 'text', text: typeof value === 'string' ? value : JSON.stringify(value) },
];

export interface AnalystMcpOptions {
  /** Called with every `ask` answer (the HTTP server audit-logs it, as `POST /v1/ask` does). */
  onAnswer?: (question: string, answer: AskAnswer) => Promise<void>;
}

export function createAnalystMcpServer(
  ask: AskService,
  tenantId: string,
  options: AnalystMcpOptions = {},
): McpServer {
  const server = new McpServer(
    { name: MCP_SERVER_NAME, version: '1.0.0' },
    {
      instructions:
        "Published, anonymous usage insights of one company's AI assistant (aggregates over at least k people). Every figure comes with its snapshot_id. Use `ask` for a grounded answer in words, or the data tools for figures.",
    },
  );
  for (const tool of DATA_TOOLS) {
    server.registerTool(
      tool.name,
      {
        description: tool.description,
        inputSchema: tool.input as unknown as z.ZodType<Record<string, unknown>>,
        annotations: { readOnlyHint: true },
      },
      async (args: Record<string, unknown>): Promise<CallToolResult> => {
        try {
          const session = await ask.session(tenantId);
          const result = await session.call(tool.name, args);
          return result.ok
            ? { content: text(result.output) }
            : { isError: true, content: text(result.error) };
        } catch (error) {
          if (error instanceof NoSnapshotError)
            return { isError: true, content: text(error.message) };
          throw error;
        }
      },
    );
  }
  server.registerTool(
    'ask',
    {
      description:
        'Answer a question about the published insights in words. Every number in the answer comes from a published figure (listed in `figures` with its snapshot); when the data cannot answer, it abstains and says why.',
      inputSchema: askRequestSchema,
      annotations: { readOnlyHint: true },
    },
    async ({ question }): Promise<CallToolResult> => {
      const answer = await ask.ask(tenantId, question);
      await options.onAnswer?.(question, answer);
      return { content: text(answer) };
    },
  );
  return server;
}
