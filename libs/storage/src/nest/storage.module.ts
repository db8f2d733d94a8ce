import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { ObjectStore } from '../object-store';
import type { StorageSettings } from '../storage.settings';

export const STORAGE_SETTINGS = Symbol('STORAGE_SETTINGS');

/** Closes the S3 client's sockets when the app stops. */
@Injectable()
class ObjectStoreLifecycle implements OnApplicationShutdown {
  constructor(@Inject(ObjectStore) private readonly store: ObjectStore) {}
  onApplicationShutdown(): void {
    this.store.destroy();
  }
}

/** Readiness: the bucket answers. */
@Injectable()
export class S3HealthIndicator {
  constructor(
    private readonly store: ObjectStore,
    private readonly health: HealthIndicatorService,
  ) {}

  async check(key = 's3') {
    const indicator = this.health.check(key);
    try {
      await this.store.ping();
      return indicator.up({ bucket: this.store.bucket });
    } catch (err) {
      return indicator.down({ bucket: this.store.bucket, message: (err as Error).message });
    }
  }
}

@Global()
@Module({})
export class StorageModule {
  static forRoot(settings: StorageSettings): DynamicModule {
    return {
      module: StorageModule,
      imports: [TerminusModule],
      providers: [
        { provide: STORAGE_SETTINGS, useValue: settings },
        {
          provide: ObjectStore,
          useFactory: async () => {
            const store = new ObjectStore(settings);
            try {
              await store.ensureBucket();
            } catch (err) {
              store.destroy();
              const where = settings.endpoint ?? `AWS S3 (${settings.region})`;
              const failure = new Error(
                `S3 is not usable: bucket "${settings.bucket}" at ${where} could not be checked or created (${(err as Error).name}: ${(err as Error).message}). Check S3_ENDPOINT, S3_BUCKET and the credentials.`,
              );
              // A start-up problem a user can fix: main prints its sentence, not a stack.
              failure.name = 'StartupError';
              throw failure;
            }
            return store;
          },
        },
        ObjectStoreLifecycle,
        S3HealthIndicator,
      ],
      exports: [ObjectStore, S3HealthIndicator, STORAGE_SETTINGS],
    };
  }
}
