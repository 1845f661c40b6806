/** Every workflow the worker serves (workers/worker.ts bundles this file). */
export * from './agent';
export * from './oracle';
export * from './metrics';
export * from './ecology';
export * from './invoke';
export * from './bounty';
