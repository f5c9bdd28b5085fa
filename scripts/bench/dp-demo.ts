/** Placeholder until the demo tenant is wired (see dp.ts). */
import type { SyntheticTenant } from './dp-synthetic';
export async function demoTenant(_now: Date): Promise<SyntheticTenant> {
  throw new Error('demo tenant not wired yet');
}
