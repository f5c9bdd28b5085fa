/** Reproducible statistics for published figures: a seeded PRNG and bootstrap intervals. */
export {
  bootstrapInterval,
  normalQuantile,
  type BootstrapInterval,
  type BootstrapOptions,
} from './bootstrap';
export {
  createSeededRandom,
  fnv1a,
  mulberry32,
  seedFromString,
  type SeededRandom,
} from './seeded-random';
