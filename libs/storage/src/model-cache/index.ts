export * from './model-uri';
export * from './model-manifest';
export * from './model-cache.errors';
export * from './model-download';
export * from './model-push';
