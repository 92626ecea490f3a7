export * from './config';
export * from './database';
export * from './embedded-postgres';
export * from './event-store';
