import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { isDemoModelPreset } from '@dermafleet/inference/demo-model';
import { findOrStartRedis, type LocalRedis } from '@dermafleet/jobs';
import { startEmbeddedS3, type EmbeddedS3 } from '@dermafleet/storage';
import { CliError } from '../cli-errors';
import { appEntry } from '../local/app-entry';
import { ensureDemoModel } from '../local/demo-model.location';

function say(line: string): void {
  process.stderr.write(`[dermafleet] ${line}\n`);
}

async function waitReady(url: string, children: ChildProcess[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (children.some((c) => c.exitCode !== null))
      throw new CliError('A process exited during start-up (see its log above).');
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new CliError(`${url} did not become ready within ${timeoutMs / 1000} s.`);
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolveStop) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolveStop();
    child.once('exit', () => resolveStop());
    child.kill('SIGTERM');
  });
}

/**
 * `npm start`: the API and one worker in the foreground on embedded defaults. Redis, S3 and the
 * model are found or provided (one log line each); Ctrl-C stops everything it started.
 */
export function devCommand(): Command {
  return new Command('dev')
    .description('run the API and one worker with local defaults (what `npm start` does)')
    .action(async () => {
      const env = { ...process.env };
      const port = Number(env.PORT ?? 3000);
      let redis: LocalRedis | undefined;
      let s3: EmbeddedS3 | undefined;
      const children: ChildProcess[] = [];
      let stopping = false;
      const stopAll = async (code: number): Promise<never> => {
        if (!stopping) {
          stopping = true;
          say('Stopping the worker and the API ...');
          await Promise.all(children.map(stopChild));
          await s3?.close();
          await redis?.stop();
        }
        process.exit(code);
      };
      process.on('SIGINT', () => void stopAll(0));
      process.on('SIGTERM', () => void stopAll(0));
      try {
        redis = await findOrStartRedis(env.REDIS_URL);
        say(
          redis.how === 'started'
            ? `Redis: none answered at redis://127.0.0.1:6379; started redis-server at ${redis.url} (no persistence).`
            : `Redis: using ${redis.url}${redis.how === 'configured' ? ' (REDIS_URL)' : ''}.`,
        );
        env.REDIS_URL = redis.url;
        if (env.S3_ENDPOINT) {
          say(`S3: using ${env.S3_ENDPOINT} (S3_ENDPOINT), bucket ${env.S3_BUCKET ?? 'dermafleet'}.`);
        } else {
          const dir = resolve('.dermafleet', 's3');
          s3 = await startEmbeddedS3(dir);
          Object.assign(env, {
            S3_ENDPOINT: s3.endpoint,
            S3_ACCESS_KEY_ID: s3.credentials.accessKeyId,
            S3_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
            S3_FORCE_PATH_STYLE: 'true',
          });
          say(`S3: no S3_ENDPOINT; embedded S3 server at ${s3.endpoint} storing under ${dir}.`);
        }
        if (env.MODEL_DIR) {
          say(`Model: ${env.MODEL_DIR} (MODEL_DIR).`);
        } else {
          const preset = env.DEMO_MODEL_PRESET ?? 'tiny';
          if (!isDemoModelPreset(preset))
            throw new CliError('DEMO_MODEL_PRESET must be tiny, base or large.');
          const demo = await ensureDemoModel(preset);
          env.MODEL_DIR = demo.dir;
          say(
            `Model: no MODEL_DIR; ${demo.written ? 'wrote' : 'using'} the ${preset} DEMO model (random weights) at ${demo.dir}.`,
          );
        }
        env.WORKER_PORT ??= String(port + 1);
        for (const app of ['api', 'worker'] as const) {
          const child = spawn(process.execPath, appEntry(app).args, { env, stdio: 'inherit' });
          child.on('exit', (code, signal) => {
            if (!stopping) {
              say(`The ${app} stopped (${signal ?? `exit ${code}`}); stopping everything.`);
              void stopAll(code || 1);
            }
          });
          children.push(child);
        }
        await waitReady(`http://127.0.0.1:${port}/health/ready`, children, 120_000);
        await waitReady(`http://127.0.0.1:${env.WORKER_PORT}/health/ready`, children, 120_000);
        say(
          `Ready: API http://127.0.0.1:${port} (OpenAPI /docs), worker health http://127.0.0.1:${env.WORKER_PORT}. Ctrl-C stops.`,
        );
      } catch (err) {
        say((err as Error).message);
        await stopAll(2);
      }
    });
}
