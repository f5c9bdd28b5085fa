/**
 * Ask (issue #12): `POST /v1/ask` answers a question about the tenant's published insights with
 * the structured, grounded answer of libs/analyst; `/mcp` serves the same tools over MCP
 * (streamable HTTP, stateless: one server per request). Both need a read or admin credential and
 * see only what the insights API shows that credential.
 */
import { All, Controller, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { Response } from 'express';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { askRequestSchema, type AskAnswer } from '@silhouette/contracts';
import { createAnalystMcpServer, type AskService } from '@silhouette/analyst';
import { AuditLogRepository } from '@silhouette/db';
import type { ApiDeps } from '../api-deps';
import { AuthGuard, RequireScopes, type AuthenticatedRequest } from '../auth/auth.guard';
import { badRequest } from '../common/api-error';
import { readJsonBody, readRawBody } from '../common/read-body';
import { API_DEPS } from '../tokens';

const MAX_ASK_BODY_BYTES = 16 * 1024;
const MAX_MCP_BODY_BYTES = 64 * 1024;

@Controller()
@UseGuards(AuthGuard)
export class AskController {
  constructor(@Inject(API_DEPS) private readonly deps: ApiDeps & { ask: AskService }) {}

  @Post('v1/ask')
  @HttpCode(200)
  @RequireScopes('read', 'admin')
  async ask(@Req() request: AuthenticatedRequest): Promise<AskAnswer> {
    const { question } = await readJsonBody(request, askRequestSchema, MAX_ASK_BODY_BYTES);
    const auth = request.auth!;
    const answer = await this.deps.ask.ask(auth.tenantId, question);
    await this.audit(request, question, answer, 'ask');
    return answer;
  }

  /** What was asked is the asker's business: the log keeps its length and the outcome, not the text. */
  private async audit(
    request: AuthenticatedRequest,
    question: string,
    answer: AskAnswer,
    action: string,
  ): Promise<void> {
    await new AuditLogRepository(this.deps.db).record({
      tenantId: request.auth!.tenantId,
      actor: request.auth!.actor,
      action,
      resource: answer.snapshot_id ? `snapshot:${answer.snapshot_id}` : 'no snapshot',
      details: {
        question_chars: question.length,
        status: answer.status,
        mode: answer.mode,
        tools: answer.tools_used,
        figures: answer.figures.length,
      },
    });
  }

  @All('mcp')
  @RequireScopes('read', 'admin')
  async mcp(@Req() request: AuthenticatedRequest, @Res() response: Response): Promise<void> {
    let body: unknown;
    if (request.method === 'POST') {
      const raw = await readRawBody(request, MAX_MCP_BODY_BYTES);
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        throw badRequest('body', 'not JSON-RPC (invalid JSON)');
      }
    }
    const server = createAnalystMcpServer(this.deps.ask, request.auth!.tenantId, {
      onAnswer: (question, answer) => this.audit(request, question, answer, 'mcp ask'),
    });
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    response.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    // Our auth context is not the SDK's OAuth `AuthInfo`; the tools get the tenant from the closure.
    await transport.handleRequest(request as unknown as IncomingMessage, response, body);
  }
}
