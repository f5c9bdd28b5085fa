/**
 * zod schema -> JSON schema for `response_format: { type: 'json_schema', strict: true }`.
 *
 * Strict structured output (OpenAI; vLLM/Ollama grammars take the same shape) wants every
 * property listed in `required` and `additionalProperties: false` on every object, so optional
 * fields become nullable and the nulls are dropped again before zod validates. Validation
 * keywords (lengths, patterns, bounds, formats, defaults) are stripped: support for them varies by
 * provider, they cost prompt tokens (the schema is part of the prompt), and zod plus the one repair
 * attempt enforce them anyway. Prompts should state the bounds in words.
 */
import { z } from 'zod';

export type JsonSchema = { [key: string]: unknown };

export interface StrictJsonSchemaOptions {
  /** Keep `description` annotations (default true). Drop them when the prompt already explains. */
  descriptions?: boolean;
}

/** Keywords kept in the strict schema; everything else is dropped. */
const KEPT_KEYWORDS = new Set([
  'type',
  'enum',
  'const',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'anyOf',
  '$ref',
  '$defs',
  'description',
]);

export function toStrictJsonSchema(
  schema: z.ZodType,
  options: StrictJsonSchemaOptions = {},
): JsonSchema {
  return strictify(inputJsonSchema(schema), options.descriptions ?? true) as JsonSchema;
}

const inputSchemas = new WeakMap<z.ZodType, JsonSchema>();

function inputJsonSchema(schema: z.ZodType): JsonSchema {
  let raw = inputSchemas.get(schema);
  if (!raw) {
    // `io: 'input'`: the model produces what zod parses, i.e. the input side of transforms.
    raw = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    inputSchemas.set(schema, raw);
  }
  return raw;
}

function strictify(node: unknown, descriptions: boolean): unknown {
  if (Array.isArray(node)) return node.map((n) => strictify(n, descriptions));
  if (!isRecord(node)) return node;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (!KEPT_KEYWORDS.has(key)) continue;
    if (key === 'description' && !descriptions) continue;
    if (key === 'properties' && isRecord(value)) {
      const required = new Set(
        Array.isArray(node['required']) ? (node['required'] as string[]) : [],
      );
      const props: JsonSchema = {};
      for (const [prop, sub] of Object.entries(value)) {
        const strictSub = strictify(sub, descriptions);
        props[prop] = required.has(prop) ? strictSub : nullable(strictSub);
      }
      out['properties'] = props;
    } else if (key === '$defs' && isRecord(value)) {
      out['$defs'] = Object.fromEntries(
        Object.entries(value).map(([name, sub]) => [name, strictify(sub, descriptions)]),
      );
    } else if (key !== 'required' && key !== 'additionalProperties') {
      out[key] = strictify(value, descriptions);
    }
  }
  if (node['type'] === 'object' || isRecord(node['properties'])) {
    const props = isRecord(out['properties']) ? out['properties'] : {};
    out['type'] = 'object';
    out['properties'] = props;
    out['required'] = Object.keys(props);
    out['additionalProperties'] = false;
  }
  return out;
}

function nullable(node: unknown): unknown {
  if (!isRecord(node)) return node;
  const type = node['type'];
  if (typeof type === 'string' && !('enum' in node) && !('const' in node)) {
    return type === 'null' ? node : { ...node, type: [type, 'null'] };
  }
  if (Array.isArray(type) && !('enum' in node)) {
    return type.includes('null') ? node : { ...node, type: [...type, 'null'] };
  }
  return { anyOf: [node, { type: 'null' }] };
}

/**
 * Removes `null` values that strict mode forced onto optional properties, guided by the original
 * (non-strict) JSON schema, so zod sees `undefined` for optional fields again.
 */
export function dropNullOptionals(value: unknown, schema: z.ZodType): unknown {
  const raw = inputJsonSchema(schema);
  const defs = isRecord(raw['$defs']) ? raw['$defs'] : {};
  return dropNulls(value, raw, defs, 0);
}

function dropNulls(value: unknown, node: unknown, defs: JsonSchema, depth: number): unknown {
  if (depth > 32 || !isRecord(node)) return value;
  const ref = node['$ref'];
  if (typeof ref === 'string' && ref.startsWith('#/$defs/')) {
    return dropNulls(value, defs[ref.slice('#/$defs/'.length)], defs, depth + 1);
  }
  if (Array.isArray(value) && isRecord(node['items'])) {
    return value.map((v) => dropNulls(v, node['items'], defs, depth + 1));
  }
  if (isRecord(value) && isRecord(node['properties'])) {
    const props = node['properties'];
    const required = new Set(Array.isArray(node['required']) ? (node['required'] as string[]) : []);
    const out: JsonSchema = {};
    for (const [key, v] of Object.entries(value)) {
      if (v === null && !required.has(key) && key in props) continue;
      out[key] = key in props ? dropNulls(v, props[key], defs, depth + 1) : v;
    }
    return out;
  }
  return value;
}

function isRecord(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
