/**
 * Custom facets of the caller's tenant (admin scope, issue #15): list, create, update, delete.
 * Every definition set is checked against the tagging prompt's budget before it is stored: the
 * tenant's questions and options share the tokens left beyond the built-in facets, and a set
 * that would push one facet call past `MAX_PROMPT_OVERHEAD_TOKENS` is refused, naming the field
 * to shorten. Another tenant's facet ids answer 404.
 */
import {
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Req,
  UseGuards,
} from '@nestjs/common';
import { z } from 'zod';
import {
  customFacetInputSchema,
  MAX_CUSTOM_FACETS,
  type CustomFacet,
  type CustomFacetDefinition,
  type CustomFacetInput,
  type CustomFacetList,
} from '@silhouette/contracts';
import {
  CustomFacetKeyExistsError,
  CustomFacetRepository,
  customFacetView,
  InsightsRepository,
  type StoredCustomFacet,
} from '@silhouette/db';
import {
  MAX_PROMPT_OVERHEAD_TOKENS,
  PROMPT_TOKENIZER,
  offlinePromptVersion,
  tagPrompt,
} from '@silhouette/llm';
import type { ApiDeps } from '../api-deps';
import { AuthGuard, RequireScopes, type AuthenticatedRequest } from '../auth/auth.guard';
import { ApiError, badRequest, notFound } from '../common/api-error';
import { parseWith, readJsonBody } from '../common/read-body';
import { API_DEPS } from '../tokens';

const uuidParam = z.uuid();
/** PATCH: any subset of the fields; merged onto the stored definition, then checked whole. */
const patchBody = z.record(z.string(), z.unknown());

/** The editable fields of a stored definition, as an admin would send them. */
function inputOf(facet: StoredCustomFacet): Record<string, unknown> {
  const view = customFacetView(facet);
  return {
    key: view.key,
    question: view.question,
    type: view.type,
    ...(view.values ? { values: view.values } : {}),
    ...(view.min !== undefined ? { min: view.min } : {}),
    ...(view.max !== undefined ? { max: view.max } : {}),
    ...(view.rules ? { rules: view.rules } : {}),
  };
}

function checkInput(input: CustomFacetInput): void {
  if (input.type === 'number' && !(input.min < input.max))
    throw badRequest('max', 'must be greater than min');
  if (input.type === 'enum' && input.rules) {
    const unknown = Object.keys(input.rules).find((value) => !input.values.includes(value));
    if (unknown !== undefined) throw badRequest('rules', 'every rule must name one of the values');
  }
}

/**
 * Whether a model answers the tenant's facets. The workers hold the model configuration, not
 * necessarily the API, so the latest snapshot's evidence decides (offline only when every facet
 * row came from the offline tagger); before any snapshot, this process's configuration.
 */
export async function answeredByModel(
  deps: Pick<ApiDeps, 'env' | 'db'>,
  tenantId: string,
): Promise<boolean> {
  const snapshot = await new InsightsRepository(deps.db).latest(tenantId);
  const taggers = (snapshot?.evidence as { models?: { tagger?: string } } | undefined)?.models
    ?.tagger;
  if (taggers) return taggers.split(', ').some((tagger) => !tagger.startsWith('offline/'));
  return Boolean(deps.env.OPENAI_BASE_URL || deps.env.OPENAI_API_KEY);
}

@Controller('v1/admin/facets')
@UseGuards(AuthGuard)
export class CustomFacetsController {
  constructor(@Inject(API_DEPS) private readonly deps: ApiDeps) {}

  private repository() {
    return new CustomFacetRepository(this.deps.db);
  }

  private listView(facets: StoredCustomFacet[], model: boolean): CustomFacetList {
    return {
      facets: facets.map(customFacetView),
      limit: MAX_CUSTOM_FACETS,
      prompt: {
        version: model ? tagPrompt(facets).promptVersion : offlinePromptVersion(facets),
        overhead_tokens: tagPrompt(facets).overheadTokens,
        max_overhead_tokens: MAX_PROMPT_OVERHEAD_TOKENS,
      },
      tagger: model ? 'openai-compatible' : 'offline',
    };
  }

  /** Refuses a definition set whose facet call would cost more than the budget. */
  private checkBudget(definitions: CustomFacetDefinition[], changed: CustomFacetInput): void {
    const overhead = tagPrompt(definitions).overheadTokens;
    if (overhead <= MAX_PROMPT_OVERHEAD_TOKENS) return;
    const field = changed.type === 'enum' ? 'values' : 'question';
    throw badRequest(
      field,
      `with this facet the tagging prompt would cost ${overhead} tokens beyond the conversation (counted with the ${PROMPT_TOKENIZER} tokenizer), over the limit of ${MAX_PROMPT_OVERHEAD_TOKENS}; shorten its question or options (or those of another facet) by ${overhead - MAX_PROMPT_OVERHEAD_TOKENS} tokens (about ${4 * (overhead - MAX_PROMPT_OVERHEAD_TOKENS)} characters)`,
    );
  }

  @Get()
  @RequireScopes('admin')
  async list(@Req() request: AuthenticatedRequest): Promise<CustomFacetList> {
    const tenantId = request.auth!.tenantId;
    return this.listView(
      await this.repository().list(tenantId),
      await answeredByModel(this.deps, tenantId),
    );
  }

  @Post()
  @RequireScopes('admin')
  async create(@Req() request: AuthenticatedRequest): Promise<CustomFacet> {
    const tenantId = request.auth!.tenantId;
    const input = await readJsonBody(request, customFacetInputSchema);
    checkInput(input);
    const existing = await this.repository().list(tenantId);
    if (existing.length >= MAX_CUSTOM_FACETS)
      throw new ApiError(
        409,
        'too_many_facets',
        `a tenant has at most ${MAX_CUSTOM_FACETS} custom facets; delete one first`,
      );
    const freeSlot = [...Array(MAX_CUSTOM_FACETS).keys()]
      .map((i) => i + 1)
      .find((slot) => !existing.some((facet) => facet.slot === slot))!;
    this.checkBudget([...existing, { ...input, slot: freeSlot }], input);
    try {
      const created = await this.repository().create(tenantId, input);
      if (!created)
        throw new ApiError(
          409,
          'too_many_facets',
          `a tenant has at most ${MAX_CUSTOM_FACETS} custom facets; delete one first`,
        );
      return customFacetView(created);
    } catch (error) {
      if (error instanceof CustomFacetKeyExistsError)
        throw new ApiError(409, 'facet_exists', error.message, 'key');
      throw error;
    }
  }

  @Patch(':id')
  @RequireScopes('admin')
  async update(
    @Req() request: AuthenticatedRequest,
    @Param('id') id: string,
  ): Promise<CustomFacet> {
    const tenantId = request.auth!.tenantId;
    if (!uuidParam.safeParse(id).success) throw notFound('custom facet');
    const body = await readJsonBody(request, patchBody);
    const existing = await this.repository().list(tenantId);
    const current = existing.find((facet) => facet.id === id);
    if (!current) throw notFound('custom facet');
    // A type change starts from the body alone: the old type's fields no longer apply.
    const merged =
      body['type'] !== undefined && body['type'] !== current.type
        ? body
        : { ...inputOf(current), ...body };
    const input = parseWith(customFacetInputSchema, merged, 'body');
    checkInput(input);
    this.checkBudget(
      existing.map((facet) => (facet.id === id ? { ...input, slot: facet.slot } : facet)),
      input,
    );
    try {
      const updated = await this.repository().update(tenantId, id, input);
      if (!updated) throw notFound('custom facet');
      return customFacetView(updated);
    } catch (error) {
      if (error instanceof CustomFacetKeyExistsError)
        throw new ApiError(409, 'facet_exists', error.message, 'key');
      throw error;
    }
  }

  @Delete(':id')
  @RequireScopes('admin')
  @HttpCode(204)
  async remove(@Req() request: AuthenticatedRequest, @Param('id') id: string): Promise<void> {
    if (!uuidParam.safeParse(id).success) throw notFound('custom facet');
    const deleted = await this.repository().delete(request.auth!.tenantId, id);
    if (!deleted) throw notFound('custom facet');
  }
}
