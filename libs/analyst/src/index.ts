/** Ask (issue #12): the data-analyst agent over published insights, its tools and the MCP server. */
export { AskService, type AskServiceOptions } from './ask.service';
export {
  LlmAnalyst,
  ASK_PROMPT_VERSION,
  ASK_TASK,
  SYSTEM_PROMPT,
  modelAnswerSchema,
  toolDefinitions,
  type LlmAnalystOptions,
} from './agent/llm-analyst';
export { OfflineAnalyst, vocabularyOf, type DraftAnswer } from './offline/offline-analyst';
export { parseQuestion, QUESTION_SHAPES, type ParsedQuestion } from './offline/question-parser';
export { refusalFor, type Refusal } from './refusals/question-guard';
export { checkGrounding, numberMentions, type GroundingResult } from './grounding/grounding-check';
export { FigureLedger, type LedgerFigure } from './grounding/figure-ledger';
export {
  ANALYST_TOOLS,
  AnalystSession,
  CALCULATOR_TOOL,
  type ToolCallResult,
} from './tools/analyst-session';
export {
  DATA_TOOLS,
  ToolInputError,
  trendDirection,
  type AnalystTool,
} from './tools/analyst-tools';
export { NoSnapshotError, PublishedInsights } from './tools/published-insights';
export { createAskService } from './create-ask-service';
export { createAnalystMcpServer, MCP_SERVER_NAME } from './mcp/analyst-mcp-server';
export type { AnalystMcpOptions } from './mcp/analyst-mcp-server';
