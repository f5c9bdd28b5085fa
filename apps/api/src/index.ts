export * from './api-deps';
export * from './api-server';
export * from './insights/snapshot-document';
