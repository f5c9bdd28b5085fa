export * from './worker-deps';
export * from './worker-runtime';
export * from './processors/tag-conversation.processor';
export { dpPlanFor, publishDpSnapshot, tenantCap } from './publishing/dp/publish-dp-snapshot';
