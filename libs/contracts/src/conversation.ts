/**
 * The canonical conversation record (BRIEF.md, "Interfaces"). Every ingest format maps onto it.
 */
import { z } from 'zod';

export const MESSAGE_ROLES = ['system', 'user', 'assistant', 'tool'] as const;
export type MessageRole = (typeof MESSAGE_ROLES)[number];

export const canonicalMessageSchema = z.object({
  role: z.enum(MESSAGE_ROLES),
  content: z.string(),
});
export type CanonicalMessage = z.infer<typeof canonicalMessageSchema>;

/**
 * The allow-listed metadata fields. Any other field in a record's `metadata` is dropped at ingest
 * (never stored, not even sealed) and listed in the batch's `ignored_fields`.
 */
export const conversationMetadataSchema = z
  .object({
    team: z.string().trim().min(1).max(100).optional(),
    department: z.string().trim().min(1).max(100).optional(),
    product: z.string().trim().min(1).max(100).optional(),
    model: z.string().trim().min(1).max(100).optional(),
    locale: z.string().trim().min(1).max(35).optional(),
    feedback: z.enum(['positive', 'negative', 'neutral']).optional(),
  })
  .strict();
export type ConversationMetadata = z.infer<typeof conversationMetadataSchema>;
export const METADATA_FIELDS = Object.keys(
  conversationMetadataSchema.shape,
) as readonly (keyof ConversationMetadata)[];

/**
 * The facet row's copy of a metadata value that failed the PII gate in the worker: the value is
 * never stored outside the sealed envelope, and it is counted under this constant instead.
 */
export const WITHHELD_METADATA_VALUE = '(withheld)';

export interface CanonicalConversation {
  id: string;
  user_id: string;
  started_at?: string;
  messages: CanonicalMessage[];
  metadata?: ConversationMetadata;
}
