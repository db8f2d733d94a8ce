import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Copy, DockerfileParser, type Dockerfile, type Instruction } from 'dockerfile-ast';
import { parse } from 'yaml';
import { REPO_ROOT } from './support/kustomize.render';

/**
 * What can be checked of the images without a Docker engine (none here): stages, bases, users,
 * what is copied from where, and that the README's build commands produce the images the
 * manifests run. Building them is the one thing left to a machine with Docker.
 */
const read = (name: string): string => readFileSync(join(REPO_ROOT, name), 'utf8');

interface Stage {
  name: string | null;
  image: string;
  instructions: Instruction[];
}

function stages(file: string): Stage[] {
  const dockerfile: Dockerfile = DockerfileParser.parse(read(file));
  const args = new Map(
    dockerfile.getARGs().map((a) => [a.getProperty()?.getName() ?? '', a.getProperty()?.getValue() ?? '']),
  );
  const resolve = (s: string): string =>
    s.replace(/\$\{(\w+)\}/g, (_, name: string) => args.get(name) ?? `<${name}?>`);
  const froms = dockerfile.getFROMs();
  const all = dockerfile.getInstructions();
  return froms.map((from, i) => {
    const start = from.getRange().start.line;
    const end = i + 1 < froms.length ? froms[i + 1].getRange().start.line : Infinity;
    return {
      name: from.getBuildStage(),
      image: resolve(from.getImage() ?? ''),
      instructions: all.filter((x) => x.getRange().start.line > start && x.getRange().start.line < end),
    };
  });
}

const keyword = (stage: Stage, k: string): Instruction[] =>
  stage.instructions.filter((i) => i.getKeyword() === k);
const copiesFrom = (stage: Stage): { from: string | undefined; args: string[] }[] =>
  stage.instructions
    .filter((i): i is Copy => i instanceof Copy)
    .map((c) => ({
      from: c.getFromFlag()?.getValue() ?? undefined,
      args: c.getArguments().map((a) => a.getValue()),
    }));
const NODE_LTS = /^node:(22|24)(\.[0-9.]+)?-/;

function expectNumericNonRootUser(stage: Stage): void {
  const users = keyword(stage, 'USER');
  expect(users).toHaveLength(1);
  const [uid, gid] = users[0].getArgumentsContent()!.split(':');
  expect(uid).toMatch(/^[1-9][0-9]*$/);
  expect(gid ?? '1').toMatch(/^[1-9][0-9]*$/);
}

function expectCopiesOnlyFromEarlierStages(all: Stage[]): void {
  all.forEach((stage, i) => {
    for (const { from } of copiesFrom(stage).filter((c) => c.from !== undefined))
      expect(all.slice(0, i).map((s) => s.name)).toContain(from);
  });
}

describe('Dockerfile (API, CPU worker, CLI)', () => {
  const all = stages('Dockerfile');
  const runtime = all[all.length - 1];

  it('builds in stages on a Node LTS (22 or 24) image, and ships only the last', () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
    for (const stage of all) expect(stage.image).toMatch(NODE_LTS);
    expectCopiesOnlyFromEarlierStages(all);
    // the runtime stage takes built output and production modules, never the sources
    const copied = copiesFrom(runtime).flatMap((c) => c.args);
    expect(copied).toEqual(expect.arrayContaining(['/app/dist', '/app/node_modules']));
    expect(copied).not.toEqual(expect.arrayContaining(['apps']));
  });

  it('runs as a numeric non-root user', () => expectNumericNonRootUser(runtime));

  it('installs without install scripts and without the CUDA binaries', () => {
    const runs = all.flatMap((s) => keyword(s, 'RUN')).map((r) => r.getArgumentsContent() ?? '');
    expect(runs.find((r) => r.includes('npm ci'))).toContain('--ignore-scripts');
    expect(read('Dockerfile')).not.toContain('cuda12');
  });

  it('defaults to the API; the worker entry point exists in the same build', () => {
    expect(keyword(runtime, 'CMD')[0].getArgumentsContent()).toContain('dist/apps/api/src/main.js');
  });
});

describe('Dockerfile.gpu (GPU worker)', () => {
  const all = stages('Dockerfile.gpu');
  const [install] = all;
  const runtime = all[all.length - 1];

  it('installs on a Node LTS image with the CUDA 12 onnxruntime binaries', () => {
    expect(install.image).toMatch(NODE_LTS);
    const env = [...keyword(install, 'ENV'), ...keyword(install, 'ARG')].map((i) => i.getArgumentsContent());
    expect(env).toContain('ONNXRUNTIME_NODE_INSTALL=cuda12');
    const runs = keyword(install, 'RUN').map((r) => r.getArgumentsContent() ?? '');
    expect(runs.some((r) => r.includes('onnxruntime-node') && r.includes('script/install'))).toBe(true);
  });

  it('runs on an NVIDIA CUDA 12 + cuDNN runtime base with the node binary copied in', () => {
    expect(runtime.image).toMatch(/^nvidia\/cuda:12\.[0-9.]+-cudnn[0-9]*-runtime-/);
    expect(copiesFrom(runtime)).toContainEqual({
      from: install.name,
      args: ['/usr/local/bin/node', '/usr/local/bin/node'],
    });
    expectCopiesOnlyFromEarlierStages(all);
  });

  it('runs the worker as a numeric non-root user', () => {
    expectNumericNonRootUser(runtime);
    expect(keyword(runtime, 'CMD')[0].getArgumentsContent()).toContain('dist/apps/worker/src/main.js');
  });
});

describe('.dockerignore', () => {
  const ignored = read('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  it('keeps local state, build output and secrets out of the build context', () => {
    expect(ignored).toEqual(
      expect.arrayContaining(['.git', 'node_modules', 'dist', '.dermafleet', '**/secret.env', '**/.env']),
    );
  });

  it('does not exclude anything the Dockerfiles copy from the context', () => {
    for (const file of ['Dockerfile', 'Dockerfile.gpu'])
      for (const stage of stages(file))
        for (const { args } of copiesFrom(stage).filter((c) => c.from === undefined))
          for (const source of args.slice(0, -1))
            expect({ file, source, ignored: ignored.includes(source) }).toEqual({
              file,
              source,
              ignored: false,
            });
  });
});

describe('README build commands', () => {
  // The image table every overlay uses (k8s/components/images).
  const table = parse(read('k8s/components/images/kustomization.yaml')) as {
    images: { name: string; newName: string; newTag: string }[];
  };
  const image = (name: string): string => {
    const entry = table.images.find((i) => i.name === name)!;
    return `${entry.newName}:${entry.newTag}`;
  };
  it('build and push exactly the images the manifests run', () => {
    const docs = read('README.md') + read('docs/DEPLOY.md');
    expect(docs).toContain(`docker build -t ${image('dermafleet')} .`);
    expect(docs).toContain(`docker build -f Dockerfile.gpu -t ${image('dermafleet-gpu')} .`);
    expect(docs).toContain(`docker push ${image('dermafleet')}`);
    expect(docs).toContain(`docker push ${image('dermafleet-gpu')}`);
  });
});
