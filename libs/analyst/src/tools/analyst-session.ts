/**
 * One conversation with the analyst: the snapshot it reads, the tools it may call and the ledger
 * of every value they returned. Used by the LLM agent, the offline parser and the MCP server, so
 * all three apply the same schemas and gates.
 */
import type { z } from 'zod';
import { FigureLedger } from '../grounding/figure-ledger';
import { DATA_TOOLS, ToolInputError, type AnalystTool } from './analyst-tools';
import { calculate, calculatorInput } from './calculator';
import type { PublishedInsights } from './published-insights';

export const CALCULATOR_TOOL: AnalystTool<z.infer<typeof calculatorInput>> = {
  name: 'calculate',
  description:
    'Deterministic arithmetic on values earlier tools returned (exactly as returned): sum, difference, ratio, share, relative_change, mean, minutes_to_hours. Use it for every number that is not itself a tool value.',
  input: calculatorInput,
  link: () => null,
  run: () => Promise.reject(new Error('the calculator runs inside a session')),
};

export const ANALYST_TOOLS: readonly AnalystTool<never>[] = [
  ...DATA_TOOLS,
  CALCULATOR_TOOL as unknown as AnalystTool<never>,
];

export type ToolCallResult =
  { ok: true; output: Record<string, unknown> } | { ok: false; error: string };

/** zod's first issue, as `field: message` (the caller learns which argument to fix). */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const field = issue.path.length ? issue.path.join('.') : 'arguments';
  return `${field}: ${issue.message}`;
}

export class AnalystSession {
  readonly ledger = new FigureLedger();
  readonly toolsUsed: string[] = [];

  constructor(readonly data: PublishedInsights) {}

  /** Runs one tool call; bad names and arguments come back as errors, never thrown. */
  async call(name: string, args: unknown): Promise<ToolCallResult> {
    const tool = ANALYST_TOOLS.find((candidate) => candidate.name === name);
    if (!tool) {
      return {
        ok: false,
        error: `unknown tool "${name.slice(0, 64)}"; the tools are ${ANALYST_TOOLS.map((t) => t.name).join(', ')}`,
      };
    }
    const parsed = (tool.input as z.ZodType).safeParse(args ?? {});
    if (!parsed.success) return { ok: false, error: describeIssue(parsed.error) };
    this.toolsUsed.push(tool.name);
    try {
      if (tool === (CALCULATOR_TOOL as unknown)) {
        const { output, figure } = calculate(this.ledger, parsed.data as never);
        this.ledger.add(figure);
        return { ok: true, output };
      }
      const output = await tool.run(this.data, parsed.data as never);
      this.ledger.addToolOutput(
        tool.name,
        output,
        this.data.snapshotId,
        tool.link(parsed.data as never),
      );
      return { ok: true, output };
    } catch (error) {
      if (error instanceof ToolInputError) return { ok: false, error: error.message };
      throw error;
    }
  }
}
