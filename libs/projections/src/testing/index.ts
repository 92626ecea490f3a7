export * from './counting.projection';
