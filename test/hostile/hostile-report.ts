/** The hostile suite's table: what was sent, what came back, and how each case ended. */

export type Verdict = 'refused' | 'accepted';

export interface Row {
  name: string;
  sent: string;
  got: string;
  verdict: Verdict | null;
  /** The case's assertions all held. */
  passed: boolean;
  /** Expected to fail until a colleague's work is merged (named here). */
  awaiting?: string;
}

export class HostileReport {
  readonly rows: Row[] = [];
  /** Answers with a 5xx status: the server broke instead of refusing. */
  readonly serverErrors: string[] = [];

  start(name: string, sent: string, awaiting?: string): Row {
    const row: Row = { name, sent, got: '(no answer)', verdict: null, passed: false, awaiting };
    this.rows.push(row);
    return row;
  }

  table(processDeaths: string[]): string {
    const clip = (s: string, n: number) =>
      (s.length > n ? `${s.slice(0, n - 1)}…` : s).replace(/[\r\n\t]/g, ' ');
    const lines = this.rows.map((r, i) => {
      const mark = r.passed ? 'ok  ' : r.awaiting ? 'wait' : 'FAIL';
      return `${String(i + 1).padStart(2)} ${mark} ${clip(r.name, 38).padEnd(38)} | ${clip(r.sent, 46).padEnd(46)} | ${clip(r.got, 90)}`;
    });
    const passed = this.rows.filter((r) => r.passed);
    const refused = passed.filter((r) => r.verdict === 'refused').length;
    const accepted = passed.filter((r) => r.verdict === 'accepted').length;
    const awaiting = this.rows.filter((r) => !r.passed && r.awaiting);
    const crashes = this.serverErrors.length + processDeaths.length;
    return [
      ...lines,
      '',
      `tried: ${this.rows.length} | refused with the right code: ${refused} | accepted correctly: ${accepted} | ` +
        `not as expected: ${this.rows.length - passed.length - awaiting.length} | awaiting other work: ${awaiting.length} ` +
        `(${awaiting.map((r) => `${r.name}: ${r.awaiting}`).join('; ')}) | crashes: ${crashes}`,
      ...this.serverErrors.map((e) => `  5xx: ${e}`),
      ...processDeaths.map((e) => `  process died: ${e}`),
    ].join('\n');
  }
}
