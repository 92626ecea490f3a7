export * from './database';
export * from './eventstoredb';
export * from './zip';
