/** Exit statuses (CONTRACT.md "CLI"): 0 all good, 1 some files failed, 2 usage/config/connection. */
export const ExitCode = { Ok: 0, SomeFailed: 1, Usage: 2 } as const;

/** An error that ends the command with exit status 2 and one sentence on stderr. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.Usage,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
