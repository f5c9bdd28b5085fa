export * from './api-deps';
export * from './api-server';
