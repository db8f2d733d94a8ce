/* global process, require */
// Preloaded into a CLI child (NODE_OPTIONS=--require) by cli-lazy-imports.e2e-spec.ts: prints,
// at exit, which heavy packages the process loaded.
process.on('exit', () => {
  const loaded = Object.keys(require.cache);
  const has = (name) => loaded.some((path) => path.includes(`/node_modules/${name}/`));
  const report = {
    onnxruntime: has('onnxruntime-node'),
    sharp: has('sharp'),
    s3Client: has('@aws-sdk/client-s3'),
    bullmq: has('bullmq'),
    nest: has('@nestjs/core'),
  };
  process.stderr.write(`\nLOADED ${JSON.stringify(report)}\n`);
});
