export * from './facets';
export * from './conversation';
export * from './envelope';
export * from './queues';
export * from './reports';
export * from './calendar';
export * from './insights';
export * from './ingest';
