#!/usr/bin/env -S node --max-semi-space-size=4
// The package's bin: runs the compiled CLI (npm ci builds it through the `prepare` script).
// The flags on the first line are CLI_NODE_FLAGS (apps/cli/src/cli-node-flags.ts: why, and the
// test that keeps the two equal).
require('../dist/apps/cli/src/main.js');
