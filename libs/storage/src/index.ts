export * from './storage.settings';
export * from './object-keys';
export * from './object-store';
export * from './verified-read';
export * from './embedded-s3';
export * from './storage.env';
export * from './nest/storage.module';
export * from './model-cache';
