export * from './registry.ts';
export * from './recorders.ts';
export * from './temporal-runtime-metrics.ts';
