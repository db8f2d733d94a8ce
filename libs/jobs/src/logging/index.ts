export * from './logging.env';
export * from './logging.module';
export * from './use-app-logger';
export { REDACT_PATHS } from './log-redaction';
