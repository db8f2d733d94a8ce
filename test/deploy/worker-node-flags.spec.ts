import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORKER_NODE_FLAGS } from '../../libs/inference/src/threads/worker-node-flags';

const REPO_ROOT = join(__dirname, '..', '..');

/** Launchers known to start a worker: each must be found by the scan below. */
const KNOWN_LAUNCHERS = [
  'k8s/base/worker.yaml',
  'k8s/overlays/split/preprocess.yaml',
  'docker-compose.yml',
  'Dockerfile',
  'Dockerfile.gpu',
  'package.json',
];

/**
 * Every tracked file outside test/ with a line naming the worker's compiled entry point: the
 * written ways a worker is started (manifests, compose, images, scripts, docs showing the
 * command). The launchers in code use WORKER_NODE_FLAGS itself.
 */
const LAUNCHERS = execFileSync('git', ['ls-files'], { cwd: REPO_ROOT, encoding: 'utf8' })
  .split('\n')
  .filter((file) => file && !file.startsWith('test/') && existsSync(join(REPO_ROOT, file)))
  .filter((file) => readFileSync(join(REPO_ROOT, file), 'utf8').includes('dist/apps/worker/src/main.js'));

describe('the Node flags workers run with', () => {
  it('finds every known launcher', () => {
    expect(LAUNCHERS).toEqual(expect.arrayContaining(KNOWN_LAUNCHERS));
  });

  it.each(LAUNCHERS)('%s starts every worker with WORKER_NODE_FLAGS before its script', (file) => {
    const lines = readFileSync(join(REPO_ROOT, file), 'utf8')
      .split('\n')
      .filter((line) => line.includes('dist/apps/worker/src/main.js'));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      // The tokens between `node` and the script, whatever the quoting (YAML, JSON, shell).
      const between = /\bnode["\s,]+(.*?)["\s,]*dist\/apps\/worker\/src\/main\.js/.exec(line)?.[1] ?? '';
      const flags = between.split(/[\s",]+/).filter(Boolean);
      expect({ line: line.trim(), flags }).toEqual({ line: line.trim(), flags: [...WORKER_NODE_FLAGS] });
    }
  });
});
