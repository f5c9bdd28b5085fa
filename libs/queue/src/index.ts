export * from './queue-driver';
export * from './in-process.driver';
export * from './bullmq.driver';
export * from './open-queue';
export * from './cron';
