/** Shared between globalSetup and globalTeardown (same process). */
interface HarnessState {
  scratch: string;
  stop: () => Promise<void>;
}

const key = Symbol.for('dermafleet.test.harness');
type WithHarness = typeof globalThis & { [key]?: HarnessState };

export function setHarness(state: HarnessState): void {
  (globalThis as WithHarness)[key] = state;
}

export function getHarness(): HarnessState | undefined {
  return (globalThis as WithHarness)[key];
}
