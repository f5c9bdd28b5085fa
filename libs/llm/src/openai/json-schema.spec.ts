import { facetAnswerSchema } from '@silhouette/contracts';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { dropNullOptionals, toStrictJsonSchema, type JsonSchema } from './json-schema';

/** Every object in the schema lists all its properties as required and forbids others. */
function assertStrict(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(assertStrict);
  if (typeof node !== 'object' || node === null) return;
  const schema = node as JsonSchema;
  if (schema['type'] === 'object') {
    expect(schema['additionalProperties']).toBe(false);
    expect(schema['required']).toEqual(Object.keys(schema['properties'] as object));
  }
  for (const value of Object.values(schema)) assertStrict(value);
}

describe('toStrictJsonSchema', () => {
  it('turns the facet schema into a strict-mode schema without validation keywords', () => {
    const schema = toStrictJsonSchema(facetAnswerSchema, { descriptions: false });
    assertStrict(schema);
    const text = JSON.stringify(schema);
    for (const keyword of [
      '$schema',
      'minLength',
      'maxLength',
      'pattern',
      'minimum',
      'maximum',
      'maxItems',
      'description',
    ]) {
      expect(text).not.toContain(`"${keyword}"`);
    }
    expect((schema['properties'] as JsonSchema)['outcome']).toEqual({
      type: 'string',
      enum: ['resolved', 'partially_resolved', 'unresolved', 'abandoned', 'refused'],
    });
  });

  it('keeps descriptions unless asked not to', () => {
    const schema = toStrictJsonSchema(facetAnswerSchema);
    expect(JSON.stringify(schema)).toContain('"description"');
  });

  it('makes optional properties required-but-nullable, nested objects and arrays included', () => {
    const schema = toStrictJsonSchema(
      z.object({
        a: z.string(),
        b: z.number().optional(),
        c: z.array(z.object({ d: z.enum(['x', 'y']).optional(), e: z.boolean() })),
      }),
    );
    assertStrict(schema);
    const props = schema['properties'] as Record<string, JsonSchema>;
    expect(props['b']).toEqual({ type: ['number', 'null'] });
    const item = (props['c']!['items'] as JsonSchema)['properties'] as Record<string, JsonSchema>;
    expect(item['d']).toEqual({ anyOf: [{ type: 'string', enum: ['x', 'y'] }, { type: 'null' }] });
  });
});

describe('dropNullOptionals', () => {
  const schema = z.object({
    a: z.string().nullable(),
    b: z.number().optional(),
    c: z.array(z.object({ d: z.string().optional() })),
  });

  it('removes nulls of optional properties only, so zod accepts what strict mode produced', () => {
    const value = dropNullOptionals({ a: null, b: null, c: [{ d: null }, { d: 'x' }] }, schema);
    expect(value).toEqual({ a: null, c: [{}, { d: 'x' }] });
    expect(schema.safeParse(value).success).toBe(true);
  });
});
