/**
 * Prompt tokens by a real tokenizer: o200k_base (gpt-4o and gpt-4o-mini's BPE, from the
 * `gpt-tokenizer` package, bundled: nothing is downloaded). The tagging prompt's overhead budget is
 * counted with it, because the characters/4 rule undercounts a dense prompt of short keys and
 * symbols. Other models' tokenizers differ by a few percent either way.
 */
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';

export const PROMPT_TOKENIZER = 'o200k_base';

export function countPromptTokens(text: string): number {
  return countTokens(text);
}
