export * from './facets';
export * from './conversation';
export * from './envelope';
export * from './queues';
export * from './insights';
