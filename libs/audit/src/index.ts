export * from './audit-checkpoint';
export * from './audit-checkpoint-table';
export * from './audit-export';
export * from './chain-verifier';
export * from './verify-log';
