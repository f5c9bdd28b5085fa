export * from './pii';
export * from './gates';
export * from './stats';
export * from './dp';
