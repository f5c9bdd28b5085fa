export * from './api-deps';
export * from './api-server';
export * from './insights/snapshot-document';
export * from './cost/cost-view';
