/**
 * @silhouette/clustering: embeddings (OpenAI-compatible and offline), k-means, cluster-count
 * choice and external quality metrics. Hierarchy, naming and stable identity build on these.
 */
export { type Embedder, toUnitFloat32 } from './embeddings/embedder';
export {
  OpenAiEmbedder,
  EmbeddingError,
  type EmbeddingErrorCode,
  type OpenAiEmbedderOptions,
} from './embeddings/openai-embedder';
export { OfflineEmbedder, type OfflineEmbedderOptions } from './embeddings/offline-embedder';
export { HashingEmbedder, type HashingEmbedderOptions } from './embeddings/hashing-embedder';
export {
  featureCounts,
  documentFrequencies,
  smoothIdf,
  tfidfVector,
  projectSparse,
  type FeatureOptions,
  type SparseVector,
} from './embeddings/hashed-features';
export {
  randomizedSvd,
  type RandomizedSvdOptions,
  type SparseRows,
  type TruncatedSvd,
} from './embeddings/randomized-svd';
export {
  kmeans,
  kmeansPlusPlus,
  assignToNearest,
  type KMeansOptions,
  type KMeansResult,
  type KMeansMetric,
} from './kmeans/kmeans';
export { nearestCentroidsByCosine, type NearestCentroids } from './kmeans/nearest-centroid';
export {
  clusterBaseLevel,
  twoLevelKmeans,
  type TwoLevelKMeansOptions,
} from './kmeans/two-level-kmeans';
export { chooseK, type ChooseKOptions } from './kmeans/choose-k';
export { packRows, normalizeRows, cosineSimilarity } from './kmeans/vector-math';
export {
  scoreClustering,
  normalizedMutualInformation,
  adjustedRandIndex,
  clusteringAccuracy,
  contingencyTable,
  type ClusteringScores,
  type ContingencyTable,
} from './metrics/clustering-metrics';
export { minCostAssignment, maxWeightAssignment } from './metrics/hungarian';
export { seededRandom, gaussianRandom, hashString, type Random } from './random/seeded-random';
export {
  buildHierarchy,
  bestOfRestarts,
  MAX_UPPER_RESTARTS,
  levelSizes,
  type Hierarchy,
  type HierarchyLevel,
  type HierarchyOptions,
} from './hierarchy/build-hierarchy';
export {
  nameClusters,
  nameParents,
  nameFromTerms,
  clusterTerms,
  mergeClusterTerms,
  type ClusterTerms,
  FALLBACK_NAME,
  FALLBACK_DESCRIPTION,
  type ClusterMember,
  type NamingInput,
  type NamingOptions,
  type ClusterName,
} from './naming/ctfidf';
export {
  readableNames,
  phraseStats,
  mergePhraseStats,
  facetPhrases,
  type FacetMember,
  type PhraseStats,
  type ReadableName,
} from './naming/readable-names';
export {
  nameTree,
  MAX_KEYWORDS,
  type TreeMember,
  type TreeNode,
  type TreeName,
} from './naming/tree-names';
export {
  keywordListVerdict,
  looksLikeKeywordList,
  nameWords,
  stem,
  MAX_NAME_WORDS,
  type KeywordListReason,
  type ReadabilityVerdict,
} from './naming/name-readability';
export {
  canonicalLabels,
  foldLabel,
  type LabelCount,
  type CanonicalLabelOptions,
} from './naming/normalize-labels';
export {
  matchClusters,
  type PreviousCluster,
  type CurrentCluster,
  type MatchClustersOptions,
  type LineageKind,
  type LineageRecord,
  type ClusterMatch,
} from './identity/match-clusters';
export { driftShare, assignNearest, type NearestCentroid } from './identity/drift';
export { maxWeightMatching, type CandidatePair, type MatchingOptions } from './identity/assignment';
export { project2d, principalAxes } from './hierarchy/project-2d';
export { WorkerPool, withWorkerPool, defaultThreads, toShared } from './parallel/worker-pool';
export {
  buildHierarchyInParallel,
  clusterBaseLevelInParallel,
  embedInParallel,
} from './parallel/parallel-clustering';
