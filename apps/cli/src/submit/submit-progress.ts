import { MultiBar, Presets, type SingleBar } from 'cli-progress';

export type SkipReason = string;

const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);

/** How a run went: what the summary and the exit status are made of. */
export class SubmitTally {
  /** Files the walk will meet (names only); null until counted. */
  total: number | null = null;
  /** Files dealt with (uploaded, found done before, failed or skipped). */
  processed = 0;
  uploaded = 0;
  bytes = 0;
  alreadyDone = 0;
  failed = 0;
  readonly skipped = new Map<SkipReason, number>();
  readonly started = Date.now();

  skip(reason: SkipReason, counted = true): void {
    this.skipped.set(reason, (this.skipped.get(reason) ?? 0) + 1);
    if (counted) this.processed++;
  }

  get skippedCount(): number {
    let n = 0;
    for (const c of this.skipped.values()) n += c;
    return n;
  }

  rate(): number {
    const seconds = (Date.now() - this.started) / 1000;
    return seconds > 0 ? this.uploaded / seconds : 0;
  }

  summary(): string {
    const seconds = ((Date.now() - this.started) / 1000).toFixed(1);
    const reasons = [...this.skipped.entries()].map(([r, n]) => `${n} ${r}`).join(', ');
    return (
      `${this.uploaded} files uploaded (${mb(this.bytes)} MB) in ${seconds} s, ${this.alreadyDone} already done before, ` +
      `${this.failed} failed, ${this.skippedCount} skipped${reasons ? ` (${reasons})` : ''}.`
    );
  }
}

/**
 * Progress on stderr: a bar (files, MB, rate, ETA, failures) on a terminal; otherwise one plain
 * line every few seconds, so logs and CI output stay readable. Per-file errors go through `log`
 * so they never tear the bar.
 */
export class SubmitProgress {
  private readonly multi: MultiBar | null;
  private readonly bar: SingleBar | null;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly tally: SubmitTally,
    tty = Boolean(process.stderr.isTTY),
    private readonly everyMs = 5000,
  ) {
    if (tty) {
      this.multi = new MultiBar(
        {
          format:
            '{bar} {percentage}% | {value}/{total} files | {mb} MB | {rate} files/s | ETA {eta_formatted} | {failed} failed',
          hideCursor: true,
          etaBuffer: 200,
          stream: process.stderr,
        },
        Presets.shades_classic,
      );
      this.bar = this.multi.create(1, 0, this.payload());
    } else {
      this.multi = null;
      this.bar = null;
    }
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), this.bar ? 200 : this.everyMs);
    this.timer.unref();
  }

  log(line: string): void {
    if (this.multi) this.multi.log(`${line}\n`);
    else process.stderr.write(`${line}\n`);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.tick();
    this.multi?.stop();
  }

  private payload() {
    return { mb: mb(this.tally.bytes), rate: this.tally.rate().toFixed(1), failed: this.tally.failed };
  }

  private tick(): void {
    const t = this.tally;
    if (this.bar) {
      this.bar.setTotal(Math.max(t.total ?? t.processed + 1, t.processed, 1));
      this.bar.update(t.processed, this.payload());
      return;
    }
    const of = t.total === null ? '' : `/${t.total}`;
    const remaining = t.total === null ? null : Math.max(0, t.total - t.processed);
    const perSecond = t.processed / Math.max(0.001, (Date.now() - t.started) / 1000);
    const eta = remaining !== null && perSecond > 0 ? `, ETA ${Math.ceil(remaining / perSecond)} s` : '';
    process.stderr.write(
      `submit: ${t.processed}${of} files, ${t.uploaded} uploaded (${mb(t.bytes)} MB, ${t.rate().toFixed(1)} files/s${eta}), ` +
        `${t.failed} failed, ${t.skippedCount} skipped\n`,
    );
  }
}
