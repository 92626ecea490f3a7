export * from './event-store.port';
export * from './canonical-json';
export * from './hash-chain';
export * from './postgres/postgres-event-store';
export * from './postgres/migrations';
export * from './postgres/unavailable';
export * from './in-memory/in-memory-event-store';
