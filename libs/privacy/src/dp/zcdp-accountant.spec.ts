import { describe, expect, it } from 'vitest';
import {
  composeReleases,
  discreteGaussianUpperTail,
  epsilonFromRho,
  epsilonFromRhoSimple,
  gaussianRho,
  rhoFromEpsilon,
  selectionThreshold,
  sigmaForRho,
} from './zcdp-accountant';

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 via erf, error < 1.5e-7). */
function phi(x: number): number {
  const t = 1 / (1 + (0.3275911 * Math.abs(x)) / Math.SQRT2);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp((-x * x) / 2);
  return x >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

/** The exact (ε, δ) curve of the Gaussian mechanism with μ = Δ/σ (Balle and Wang 2018, Thm 8). */
function gaussianDelta(mu: number, epsilon: number): number {
  return phi(-epsilon / mu + mu / 2) - Math.exp(epsilon) * phi(-epsilon / mu - mu / 2);
}

describe('zCDP accountant', () => {
  it('Gaussian noise costs Δ²/(2σ²), and sigmaForRho inverts it', () => {
    expect(gaussianRho(1, 1)).toBe(0.5);
    expect(gaussianRho(3, 6)).toBeCloseTo(0.125, 12);
    expect(gaussianRho(2, sigmaForRho(2, 0.01))).toBeCloseTo(0.01, 12);
  });

  it('composition adds ρ (k releases of a sensitivity-1 count at σ cost k/(2σ²)) and δ', () => {
    const releases = Array.from({ length: 30 }, () => ({ rho: gaussianRho(1, 10), delta: 1e-9 }));
    const total = composeReleases(releases);
    expect(total.rho).toBeCloseTo(30 / 200, 12);
    expect(total.delta).toBeCloseTo(30e-9, 18);
    // Equivalent to one release at σ/√k.
    expect(total.rho).toBeCloseTo(gaussianRho(1, 10 / Math.sqrt(30)), 12);
  });

  it.each([
    [0.01, 1e-6],
    [0.1, 1e-6],
    [0.5, 1e-5],
    [2, 1e-8],
  ])('ρ = %s, δ = %s: exact Gaussian ε ≤ our ε ≤ the simple bound', (rho, delta) => {
    const ours = epsilonFromRho(rho, delta);
    const simple = epsilonFromRhoSimple(rho, delta);
    expect(ours).toBeLessThanOrEqual(simple);
    // A Gaussian mechanism with ρ = μ²/2 is exactly (ε, δ_G(ε))-DP; the generic conversion can
    // never claim less than that, so δ_G at our ε must not exceed δ.
    const mu = Math.sqrt(2 * rho);
    expect(gaussianDelta(mu, ours)).toBeLessThanOrEqual(delta * 1.0001);
    // ...and it is close to tight: at 0.9ε the Gaussian already needs more than δ.
    expect(gaussianDelta(mu, ours * 0.9)).toBeGreaterThan(delta);
  });

  it('ρ = 1, δ = 1e-6: the closed forms by hand', () => {
    // Simple bound: 1 + 2√(ln 1e6) = 8.4338. Corollary 13 at α = 4.5, by hand:
    // 4.5 + (ln 1e6 + 3.5·ln(7/9) − ln 4.5) / 3.5 = 7.7706; the infimum over α is at most that.
    expect(epsilonFromRhoSimple(1, 1e-6)).toBeCloseTo(8.4338, 3);
    const ours = epsilonFromRho(1, 1e-6);
    expect(ours).toBeLessThanOrEqual(7.7706);
    expect(ours).toBeGreaterThan(7.7);
  });

  it('rhoFromEpsilon inverts the conversion and rounds down', () => {
    for (const [epsilon, delta] of [
      [1, 1e-6],
      [4, 1e-6],
      [10, 1e-9],
    ] as const) {
      const rho = rhoFromEpsilon(epsilon, delta);
      expect(epsilonFromRho(rho, delta)).toBeLessThanOrEqual(epsilon);
      expect(epsilonFromRho(rho * 1.001, delta)).toBeGreaterThan(epsilon * 0.999);
    }
    expect(() => rhoFromEpsilon(1, 0)).toThrow(RangeError);
  });

  it('the selection threshold keeps a one-person key below δ per key', () => {
    const sigma = 4;
    const tau = selectionThreshold(sigma, 1e-9, 5);
    expect(discreteGaussianUpperTail(sigma, tau - 1)).toBeLessThanOrEqual(1e-9);
    expect(discreteGaussianUpperTail(sigma, tau - 2)).toBeGreaterThan(1e-9);
    // The Gaussian tail e^{-t²/2σ²} puts it near σ√(2 ln 1e9) ≈ 25.8.
    expect(tau).toBeGreaterThan(20);
    expect(tau).toBeLessThan(30);
    // Never below the configured floor (k_users).
    expect(selectionThreshold(0.5, 1e-3, 12)).toBe(12);
  });
});
