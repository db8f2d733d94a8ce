export * from './batch.keys';
export * from './batch.types';
export * from './batch-cursor';
export * from './batch.repository';
export * from './result-cache';
export * from './batches-core.module';
export * from './batch-control.repository';
export * from './batch-manifest';
