export * from './pii';
export * from './gates';
export * from './stats';
