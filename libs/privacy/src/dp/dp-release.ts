/**
 * Releasing cells under user-level differential privacy: the one entry point every publication
 * uses ("release these cells, with these sensitivities, spending this much budget").
 *
 * A FAMILY is one way of cutting the bucket's conversations into keys (clusters of level 1, teams,
 * outcomes). Each family releases FIGURES per key (conversations, distinct users, minutes), each
 * with its L2 sensitivity: how far one person's bounded contributions can move the vector of that
 * figure over all keys of the family. The budget ρ is split over (family, figure) pairs by weight;
 * each gets σ = Δ₂ / √(2ρᵢ) of exact discrete Gaussian noise on every key, so the release is
 * (Σ ρᵢ)-zCDP (see zcdp-accountant.ts).
 *
 * KEYS. Public keys are known without the data (cluster ids of the clustering, which the claim
 * does not cover; outcome labels; keys released before): each gets noise whether it has data or
 * not, and no threshold is needed for privacy. A public family must list its keys in
 * `publicKeys`, and releases exactly those: a cell of it under any other key is not released. Data keys exist only because someone has them (a
 * team or language first seen now): one is released only when its noisy distinct-user count
 * reaches τ, chosen so that a key held by one person appears with probability at most
 * δ / (families × keys a person can create). That δ is reported with the release.
 *
 * The caller owns the preconditions: the exact values were computed from bounded contributions
 * (contribution-bounds.ts) and the sensitivities it declares match those bounds.
 */
import { DiscreteGaussianNoise, rationalVariance, varianceValue } from './discrete-gaussian';
import { gaussianRho, selectionThreshold, sigmaForRho } from './zcdp-accountant';

export interface FigureSpec {
  name: string;
  /** L2 sensitivity of this figure over the family's keys (one person, after bounding). */
  l2: number;
  /** Share of the release's budget, relative to the other figures' weights. */
  weight: number;
}

export interface FamilySpec {
  name: string;
  keys: 'public' | 'data';
  figures: readonly FigureSpec[];
  /** Data keys: the figure (a distinct-user count, sensitivity 1 per key) the threshold reads. */
  selectBy?: string;
  /** Data keys: how many keys of this family one person can be counted in. */
  maxKeysPerPerson?: number;
}

export interface ExactCell {
  family: string;
  key: string;
  /** Integer figures over bounded contributions. */
  values: Readonly<Record<string, number>>;
}

export interface NoisyCell {
  family: string;
  key: string;
  /** Exact value + discrete Gaussian noise: integers, possibly negative (clamp only after summing). */
  values: Record<string, number>;
  /** Standard deviation of the noise on each figure (for intervals). */
  sigma: Record<string, number>;
}

export interface FigureParameters {
  family: string;
  figure: string;
  l2: number;
  sigma: number;
  rho: number;
}

export interface ReleaseRequest {
  families: readonly FamilySpec[];
  cells: readonly ExactCell[];
  /** Keys released even without data (value 0): per family. Data keys released earlier go here. */
  publicKeys?: Readonly<Record<string, readonly string[]>>;
  /** zCDP budget of this release. */
  rho: number;
  /** δ of this release's thresholds (only spent when some family has data keys). */
  delta: number;
  /** τ is never below this (the tenant's k_users). */
  minThreshold: number;
}

export interface ReleaseResult {
  cells: NoisyCell[];
  /** ρ actually spent (≤ the request: variances are rounded up). */
  rho: number;
  /** δ actually spent by the thresholds. */
  delta: number;
  parameters: FigureParameters[];
  /** τ per data family. */
  thresholds: Record<string, number>;
}

/** Noise never smaller than this: keeps figures integral and the multivariate bound trivial. */
const MIN_SIGMA = 1;

export function releaseCells(
  request: ReleaseRequest,
  noise: DiscreteGaussianNoise = new DiscreteGaussianNoise(),
): ReleaseResult {
  const { families, cells } = request;
  if (!(request.rho > 0)) throw new RangeError(`rho must be > 0, got ${request.rho}`);
  const totalWeight = families.reduce(
    (sum, family) => sum + family.figures.reduce((s, figure) => s + figure.weight, 0),
    0,
  );
  if (!(totalWeight > 0)) throw new RangeError('the figures need positive weights');
  const familyNames = new Set<string>();
  for (const family of families) {
    if (familyNames.has(family.name)) throw new RangeError(`duplicate family ${family.name}`);
    familyNames.add(family.name);
    for (const figure of family.figures)
      if (!(figure.l2 > 0 && figure.weight > 0))
        throw new RangeError(`${family.name}/${figure.name}: l2 and weight must be > 0`);
    if (family.keys === 'data') {
      const selector = family.figures.find((figure) => figure.name === family.selectBy);
      if (!selector) throw new RangeError(`${family.name}: selectBy must name one of its figures`);
      if (!Number.isSafeInteger(family.maxKeysPerPerson) || family.maxKeysPerPerson! < 1)
        throw new RangeError(`${family.name}: data keys need maxKeysPerPerson ≥ 1`);
    }
  }

  const parameters: FigureParameters[] = [];
  const sigmaOf = new Map<string, Record<string, number>>();
  let rho = 0;
  for (const family of families) {
    const sigmas: Record<string, number> = {};
    for (const figure of family.figures) {
      const wanted = Math.max(
        MIN_SIGMA,
        sigmaForRho(figure.l2, (request.rho * figure.weight) / totalWeight),
      );
      // The sampler rounds σ² up; account for the σ actually used.
      const sigma = Math.sqrt(varianceValue(rationalVariance(wanted)));
      const spent = gaussianRho(figure.l2, sigma);
      rho += spent;
      sigmas[figure.name] = sigma;
      parameters.push({
        family: family.name,
        figure: figure.name,
        l2: figure.l2,
        sigma,
        rho: spent,
      });
    }
    sigmaOf.set(family.name, sigmas);
  }

  const dataFamilies = families.filter((family) => family.keys === 'data');
  const thresholds: Record<string, number> = {};
  let delta = 0;
  for (const family of dataFamilies) {
    if (!(request.delta > 0)) throw new RangeError('data keys need a delta > 0 for the threshold');
    const perFamily = request.delta / dataFamilies.length;
    const perKey = perFamily / family.maxKeysPerPerson!;
    thresholds[family.name] = selectionThreshold(
      sigmaOf.get(family.name)![family.selectBy!]!,
      perKey,
      request.minThreshold,
    );
    delta += perFamily;
  }

  // Every key to release: the cells' keys and the public keys, once each, in that order. Keys
  // are looked up per family (no family-and-key strings: a release has millions of keys).
  const byFamily = new Map<string, Map<string, ExactCell>>();
  for (const family of families) byFamily.set(family.name, new Map());
  const ordered: ExactCell[] = [];
  for (const cell of cells) {
    const byKey = byFamily.get(cell.family);
    if (!byKey) throw new RangeError(`unknown family ${cell.family}`);
    if (byKey.has(cell.key)) throw new RangeError(`duplicate cell ${cell.family}/${cell.key}`);
    byKey.set(cell.key, cell);
    ordered.push(cell);
  }
  const publicSets = new Map<string, ReadonlySet<string>>();
  for (const [family, keys] of Object.entries(request.publicKeys ?? {})) {
    const byKey = byFamily.get(family);
    if (!byKey) throw new RangeError(`unknown family ${family}`);
    const listed = new Set(keys);
    publicSets.set(family, listed);
    for (const key of listed)
      if (!byKey.has(key)) {
        const cell = { family, key, values: {} };
        byKey.set(key, cell);
        ordered.push(cell);
      }
  }
  for (const family of families)
    if (family.keys === 'public' && !request.publicKeys?.[family.name])
      throw new RangeError(`${family.name}: a public family needs its keys in publicKeys`);

  const out: NoisyCell[] = [];
  const familyByName = new Map(families.map((family) => [family.name, family]));
  // One σ record per family, shared by its cells (read-only: frozen so that no one changes all).
  const sharedSigma = new Map(
    [...sigmaOf].map(([name, sigmas]) => [name, Object.freeze({ ...sigmas })]),
  );
  for (const cell of ordered) {
    const family = familyByName.get(cell.family)!;
    const listed = publicSets.get(family.name)?.has(cell.key) ?? false;
    // A public family releases exactly its listed keys: a key only the data names (a team not
    // selected yet) would reveal that someone has it, so it is not released at all.
    if (family.keys === 'public' && !listed) continue;
    const sigmas = sigmaOf.get(family.name)!;
    const values: Record<string, number> = {};
    for (const figure of family.figures) {
      const exact = cell.values[figure.name] ?? 0;
      if (!Number.isSafeInteger(exact) || exact < 0)
        throw new RangeError(`${cell.family}/${figure.name}: values must be non-negative integers`);
      values[figure.name] = noise.add(exact, sigmas[figure.name]!);
    }
    if (family.keys === 'data' && !listed) {
      if (values[family.selectBy!]! < thresholds[family.name]!) continue;
    }
    out.push({ family: cell.family, key: cell.key, values, sigma: sharedSigma.get(family.name)! });
  }
  return { cells: out, rho, delta, parameters, thresholds };
}
