import { describe, expect, it } from 'vitest';
import { WITHHELD_METADATA_VALUE } from '@silhouette/contracts';
import { facetMetadata } from './facet-metadata';

describe('facetMetadata', () => {
  it('copies clean values canonicalised and withholds every PII-shaped one', () => {
    const result = facetMetadata({
      team: '  Data\u200b Platform ',
      department: 'Ops for ana.lopez@example.com',
      product: 'DE89370400440532013000',
      model: `sk-proj-${'a1b2c3d4'.repeat(5)}`,
      locale: 'en-GB',
      feedback: 'positive',
    });
    expect(result).toEqual({
      values: {
        team: 'Data Platform',
        department: WITHHELD_METADATA_VALUE,
        product: WITHHELD_METADATA_VALUE,
        model: WITHHELD_METADATA_VALUE,
        locale: 'en-GB',
        feedback: 'positive',
      },
      withheld: 3,
    });
  });

  it('gives nothing for absent or blank metadata', () => {
    expect(facetMetadata(undefined)).toEqual({ values: {}, withheld: 0 });
    expect(facetMetadata({ team: '\u200b' })).toEqual({ values: {}, withheld: 0 });
  });
});
