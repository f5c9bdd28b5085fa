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

export interface CanonicalConversation {
  id: string;
  user_id: string;
  started_at?: string;
  messages: CanonicalMessage[];
  metadata?: ConversationMetadata;
}
