export * from './projection';
export * from './document-table';
export * from './checkpoints';
export * from './catch-up';
export * from './rebuild';
export * from './projection-runner';
export * from './transaction';
export * from './leadership';
