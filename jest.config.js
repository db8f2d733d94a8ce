// Two tiers (STYLE.md #11): fast unit tests next to the code, and integration/e2e tests in
// test/ against real Redis and a real S3 server. ts-jest in isolatedModules mode transpiles
// without type-checking (the build and `npm run typecheck` do that) so the suite stays fast.
const moduleNameMapper = {
  '^@dermafleet/(inference|storage|jobs)$': '<rootDir>/libs/$1/src',
  '^@dermafleet/(inference|storage|jobs)/(.*)$': '<rootDir>/libs/$1/src/$2',
};
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }],
};
// The host realm's typed arrays in every test realm, so onnxruntime-node's native checks pass
// (microsoft/onnxruntime#16622); see test/harness/onnxruntime.jest-environment.ts.
const testEnvironment = '<rootDir>/test/harness/onnxruntime.jest-environment.ts';
const common = { moduleNameMapper, transform, testEnvironment, moduleFileExtensions: ['ts', 'js', 'json'] };

module.exports = {
  // End-to-end tests start real apps and child processes on a shared 2-core machine.
  testTimeout: 120000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    // Deployment checks: render k8s/ with kubectl kustomize, validate schemas and policies; no services.
    { ...common, displayName: 'deploy', testMatch: ['<rootDir>/test/deploy/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts', '<rootDir>/test/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/test/harness/global-setup.ts',
      globalTeardown: '<rootDir>/test/harness/global-teardown.ts',
    },
  ],
};
