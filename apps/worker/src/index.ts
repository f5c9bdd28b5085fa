export * from './worker-deps';
export * from './worker-runtime';
export * from './processors/tag-conversation.processor';
export { facetText } from './clustering/run-clustering';
export { dpPlanFor, publishDpSnapshot, tenantCap } from './publishing/dp/publish-dp-snapshot';
