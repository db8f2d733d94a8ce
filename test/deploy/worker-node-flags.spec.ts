import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORKER_NODE_FLAGS } from '../../libs/inference/src/threads/worker-node-flags';

const REPO_ROOT = join(__dirname, '..', '..');

/** Every written way a worker process is started (the launchers in code use WORKER_NODE_FLAGS). */
const LAUNCHERS = [
  'k8s/base/worker.yaml',
  'k8s/overlays/split/preprocess.yaml',
  'docker-compose.yml',
  'Dockerfile',
  'Dockerfile.gpu',
  'package.json',
];

describe('the Node flags workers run with', () => {
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
