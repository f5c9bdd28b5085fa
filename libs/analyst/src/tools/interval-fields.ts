/**
 * Published intervals stored beside a figure (`minutesSavedLow`/`minutesSavedHigh`, and whatever
 * noisy figures later publications add), renamed to sit beside the output field they bound
 * (`minutes_saved_low`), where the figure ledger attaches them to the value.
 */
export function intervalFields(row: object): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(row)) {
    const match = /^(.+?)(?:_?[Tt]otal)?_?([Ll]ow|[Hh]igh)$/.exec(key);
    if (!match || typeof value !== 'number') continue;
    const base = match[1]!.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    out[`${base}_${match[2]!.toLowerCase()}`] = value;
  }
  return out;
}

/**
 * A dp publication's per-figure noise intervals (`noise: {conversations: {low, high}, …}` on a
 * row), passed through as they are; nothing when the row has none (threshold mode).
 */
export function noiseOf(row: object): { noise?: Record<string, { low: number; high: number }> } {
  const noise = (row as { noise?: unknown }).noise;
  return typeof noise === 'object' && noise !== null
    ? { noise: noise as Record<string, { low: number; high: number }> }
    : {};
}
