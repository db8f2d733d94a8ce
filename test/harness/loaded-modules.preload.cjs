/* global process, require */
// Preloaded into a CLI child (NODE_OPTIONS=--require) by cli-lazy-imports.e2e-spec.ts: prints,
// at exit, which heavy native packages the process loaded.
process.on('exit', () => {
  const loaded = Object.keys(require.cache);
  const has = (name) => loaded.some((path) => path.includes(`/node_modules/${name}/`));
  process.stderr.write(`\nLOADED ${JSON.stringify({ onnxruntime: has('onnxruntime-node'), sharp: has('sharp') })}\n`);
});
