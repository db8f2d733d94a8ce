export * from './explanation.types';
export * from './explanation.repository';
export * from './explanation.provider';
