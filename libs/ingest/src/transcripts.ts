/**
 * Transcripts assembled from observability data (OTLP spans, Langfuse traces, LangSmith runs),
 * where each model call records the history it was sent and its answer, and a conversation is
 * the merge of its calls in time order.
 */
export interface TranscriptMessage {
  role: string;
  content: string;
}

const same = (a: TranscriptMessage, b: TranscriptMessage) =>
  a.role === b.role && a.content === b.content;

/**
 * Appends `next` to `history`, without repeating what `next` starts with that `history` already
 * ends with: a call that re-sends the whole history overlaps it entirely and only adds its new
 * turns; a call that carries only new turns is appended as it is.
 */
export function mergeTranscripts(
  history: TranscriptMessage[],
  next: TranscriptMessage[],
): TranscriptMessage[] {
  for (let overlap = Math.min(history.length, next.length); overlap > 0; overlap -= 1) {
    const start = history.length - overlap;
    let matches = true;
    for (let i = 0; i < overlap && matches; i += 1) matches = same(history[start + i]!, next[i]!);
    if (matches) return [...history, ...next.slice(overlap)];
  }
  return [...history, ...next];
}
