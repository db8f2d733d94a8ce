import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { LogSettings } from './logging.env';
import { REDACT_PATHS } from './log-redaction';
import { requestLogOptions } from './request-log.options';

/**
 * JSON logs through nestjs-pino (LOG_FORMAT=json): every Nest log line and one line per HTTP
 * request, with pino's redaction. LOG_FORMAT=pretty keeps Nest's readable console logger and adds
 * nothing here. The app's bootstrap swaps the logger in (see useAppLogger).
 */
@Module({})
export class AppLoggingModule {
  static forRoot(settings: LogSettings, app: 'api' | 'worker'): DynamicModule {
    if (settings.format !== 'json') return { module: AppLoggingModule };
    const http = requestLogOptions();
    return {
      module: AppLoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            ...http,
            level: settings.level,
            base: { app },
            redact: { paths: REDACT_PATHS, censor: '[redacted]' },
            // The worker serves only health and metrics: no request lines at all.
            autoLogging: app === 'api' ? http.autoLogging : false,
          },
        }),
      ],
    };
  }
}
