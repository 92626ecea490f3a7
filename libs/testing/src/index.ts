export * from './database';
export * from './eventstoredb';
