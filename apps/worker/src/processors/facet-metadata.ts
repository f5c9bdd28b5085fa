/**
 * The metadata a facet row may hold. A record's metadata arrives sealed with its messages; the
 * worker copies the allow-listed fields onto the facet row, each value through the same PII
 * detector as published text (after the same canonicalisation, so the stored string is the one
 * that was checked). A value that fails is stored as `(withheld)`: counted, never copied.
 */
import {
  METADATA_FIELDS,
  WITHHELD_METADATA_VALUE,
  type ConversationMetadata,
} from '@silhouette/contracts';
import { canonicalizePublishedText, piiTypesIn } from '@silhouette/privacy';

export interface FacetMetadata {
  values: Partial<Record<keyof ConversationMetadata, string>>;
  /** Values replaced by `(withheld)` because they failed the PII gate. */
  withheld: number;
}

export function facetMetadata(metadata: ConversationMetadata | undefined): FacetMetadata {
  const values: FacetMetadata['values'] = {};
  let withheld = 0;
  for (const field of METADATA_FIELDS) {
    const raw = metadata?.[field];
    if (typeof raw !== 'string') continue;
    const text = canonicalizePublishedText(raw);
    if (text.length === 0) continue;
    if (piiTypesIn(text).length > 0) {
      values[field] = WITHHELD_METADATA_VALUE;
      withheld += 1;
    } else {
      values[field] = text;
    }
  }
  return { values, withheld };
}
