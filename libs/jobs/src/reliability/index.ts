export * from './outbox-entry';
export * from './outbox';
export * from './outbox.relay';
export * from './work-index';
export * from './leader-lease';
export * from './deadline';
