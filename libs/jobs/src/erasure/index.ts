export * from './erasure.keys';
export * from './erasure.members';
export * from './erasure.repository';
export * from './audit.repository';
