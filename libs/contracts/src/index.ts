export * from './facets';
export * from './custom-facets';
export * from './conversation';
export * from './envelope';
export * from './queues';
export * from './reports';
export * from './calendar';
export * from './insights';
