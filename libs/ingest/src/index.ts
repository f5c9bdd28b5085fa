export * from './formats';
export * from './normalize-record';
export * from './parse-body';
export * from './pseudonym';
export * from './envelope-sealer';
export * from './intake.repository';
export * from './ingest.service';
