/**
 * Ten custom facets of every type, worded compactly: the set `npm run bench -- tagging` measures
 * the prompt overhead with, and the prompt's unit test holds to the budget.
 */
import type { CustomFacetDefinition } from '@silhouette/contracts';

export const TEN_FACETS: CustomFacetDefinition[] = [
  { slot: 1, key: 'competitor', type: 'boolean', question: 'Mentions a competitor?' },
  {
    slot: 2,
    key: 'area',
    type: 'enum',
    question: 'Product area?',
    values: ['billing', 'onboarding', 'reporting', 'security'],
  },
  {
    slot: 3,
    key: 'sentiment',
    type: 'enum',
    question: 'Mood at the end?',
    values: ['positive', 'neutral', 'negative'],
  },
  { slot: 4, key: 'needs_human', type: 'boolean', question: 'Needs a human?' },
  { slot: 5, key: 'steps', type: 'number', question: 'Steps needed?', min: 0, max: 20 },
  { slot: 6, key: 'blocker', type: 'short_text', question: 'What blocked the user?' },
  { slot: 7, key: 'sensitive', type: 'boolean', question: 'Shares confidential data?' },
  { slot: 8, key: 'false_claim', type: 'boolean', question: 'Any false claim?' },
  { slot: 9, key: 'satisfaction', type: 'number', question: 'Satisfaction?', min: 1, max: 10 },
  { slot: 10, key: 'code', type: 'boolean', question: 'Involves code?' },
];
