/**
 * Privacy accounting in zero-concentrated differential privacy (zCDP; Bun and Steinke 2016).
 *
 *  - A figure vector f released with independent discrete Gaussian noise of variance σ_j² on each
 *    coordinate is ρ-zCDP with ρ = max over neighbours Σ_j Δ_j² / (2σ_j²), where Δ_j is how much
 *    one person can move coordinate j (Canonne, Kamath and Steinke 2020, Theorem 4 for one
 *    coordinate; Rényi divergences of independent coordinates add). With one σ per family this is
 *    Δ₂² / (2σ²), Δ₂ the family's L2 sensitivity.
 *  - zCDP composes by addition: k releases of ρ_i are (Σ ρ_i)-zCDP.
 *  - Conversion to (ε, δ)-DP uses CKS 2020, Corollary 13, the tightest generic conversion:
 *      δ = inf_{α>1} exp((α-1)(αρ - ε)) / (α-1) · (1 - 1/α)^α,
 *    equivalently ε = inf_{α>1} αρ + (ln(1/δ) + (α-1)·ln(1-1/α) - ln α) / (α-1).
 *    Any α gives a valid bound, so an approximate minimum is still a correct (slightly larger) ε.
 *  - Releasing keys that only exist in the data (a team name) is decided by a noisy threshold;
 *    such a release is δ_sel-approximately ρ-zCDP (Bun and Steinke 2016, Definition 8.1), and the
 *    δ_sel of all releases add to the δ of the conversion.
 */

/** ρ of a Gaussian-noised family with L2 sensitivity `l2` and noise standard deviation `sigma`. */
export function gaussianRho(l2: number, sigma: number): number {
  if (!(l2 >= 0) || !(sigma > 0)) throw new RangeError('need l2 ≥ 0 and sigma > 0');
  return (l2 * l2) / (2 * sigma * sigma);
}

/** The noise standard deviation that spends exactly `rho` on a family of L2 sensitivity `l2`. */
export function sigmaForRho(l2: number, rho: number): number {
  if (!(l2 > 0) || !(rho > 0)) throw new RangeError('need l2 > 0 and rho > 0');
  return l2 / Math.sqrt(2 * rho);
}

/** The bound of CKS Corollary 13 at order α (any α > 1 gives a valid ε). */
function epsilonAtOrder(rho: number, delta: number, alpha: number): number {
  return (
    alpha * rho +
    (Math.log(1 / delta) + (alpha - 1) * Math.log1p(-1 / alpha) - Math.log(alpha)) / (alpha - 1)
  );
}

function checkDelta(delta: number): void {
  if (!(delta > 0 && delta < 1)) throw new RangeError(`delta must be in (0, 1), got ${delta}`);
}

/** ε such that a ρ-zCDP mechanism is (ε, δ)-DP (CKS 2020, Corollary 13). */
export function epsilonFromRho(rho: number, delta: number): number {
  checkDelta(delta);
  if (!(rho >= 0)) throw new RangeError(`rho must be ≥ 0, got ${rho}`);
  if (rho === 0) return 0;
  // Coarse log-spaced scan over α, then golden-section refinement around the best point.
  let bestAlpha = 2;
  let best = Infinity;
  for (let exponent = -6; exponent <= 8; exponent += 0.05) {
    const alpha = 1 + 10 ** exponent;
    const value = epsilonAtOrder(rho, delta, alpha);
    if (value < best) {
      best = value;
      bestAlpha = alpha;
    }
  }
  let low = 1 + (bestAlpha - 1) / 1.13;
  let high = 1 + (bestAlpha - 1) * 1.13;
  const ratio = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < 60; i++) {
    const a = high - ratio * (high - low);
    const b = low + ratio * (high - low);
    if (epsilonAtOrder(rho, delta, a) < epsilonAtOrder(rho, delta, b)) high = b;
    else low = a;
  }
  const refined = epsilonAtOrder(rho, delta, (low + high) / 2);
  return Math.max(0, Math.min(best, refined));
}

/** The simpler, looser conversion of Bun and Steinke (2016, Proposition 1.3): ρ + 2√(ρ ln(1/δ)). */
export function epsilonFromRhoSimple(rho: number, delta: number): number {
  checkDelta(delta);
  return rho + 2 * Math.sqrt(rho * Math.log(1 / delta));
}

/** The largest ρ whose conversion at δ stays within ε (bisection; rounded down). */
export function rhoFromEpsilon(epsilon: number, delta: number): number {
  checkDelta(delta);
  if (!(epsilon > 0)) throw new RangeError(`epsilon must be > 0, got ${epsilon}`);
  let low = 0;
  let high = epsilon; // ε(ρ) ≥ ρ, so ρ ≤ ε.
  for (let i = 0; i < 100; i++) {
    const middle = (low + high) / 2;
    if (epsilonFromRho(middle, delta) <= epsilon) low = middle;
    else high = middle;
  }
  return low;
}

/** Total ρ and δ of several releases (zCDP and approximate zCDP compose by addition). */
export function composeReleases(releases: readonly { rho: number; delta?: number }[]): {
  rho: number;
  delta: number;
} {
  let rho = 0;
  let delta = 0;
  for (const release of releases) {
    if (!(release.rho >= 0)) throw new RangeError('every release needs rho ≥ 0');
    rho += release.rho;
    delta += release.delta ?? 0;
  }
  return { rho, delta };
}

/** P[Z ≥ t] for Z discrete Gaussian with parameter σ (summed over the pmf; for thresholds). */
export function discreteGaussianUpperTail(sigma: number, t: number): number {
  if (!(sigma > 0)) throw new RangeError('sigma must be > 0');
  const reach = Math.ceil(40 * sigma + 10);
  let normaliser = 0;
  let tail = 0;
  for (let k = -reach; k <= reach; k++) {
    const mass = Math.exp((-k * k) / (2 * sigma * sigma));
    normaliser += mass;
    if (k >= t) tail += mass;
  }
  return tail / normaliser;
}

/**
 * The noisy-threshold rule for keys that only exist in the data: a key held by one person has a
 * true user count of at most 1, so with threshold τ it is published with probability
 * P[1 + Z ≥ τ]. Returns the smallest τ ≥ `floor` keeping that probability ≤ `deltaPerKey`.
 */
export function selectionThreshold(sigma: number, deltaPerKey: number, floor: number): number {
  if (!(deltaPerKey > 0 && deltaPerKey < 1)) throw new RangeError('deltaPerKey must be in (0, 1)');
  if (!(sigma > 0)) throw new RangeError('sigma must be > 0');
  const reach = Math.ceil(40 * sigma + 10);
  let normaliser = 0;
  for (let k = -reach; k <= reach; k++) normaliser += Math.exp((-k * k) / (2 * sigma * sigma));
  // Walk down from the far tail, accumulating P[Z ≥ k], until it exceeds the allowed mass.
  let tail = 0;
  let k = reach;
  for (; k > 0; k--) {
    const next = tail + Math.exp((-k * k) / (2 * sigma * sigma)) / normaliser;
    if (next > deltaPerKey) break;
    tail = next;
  }
  // P[Z ≥ k + 1] ≤ deltaPerKey, so τ - 1 = k + 1.
  return Math.max(floor, k + 2);
}
