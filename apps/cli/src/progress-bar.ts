/** A progress line on stderr: done of total, rate and time left; redrawn in place on a terminal, else every few seconds. */
export class ProgressBar {
  private readonly started = Date.now();
  private lastPrinted = 0;

  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  update(done: number, total: number, unit = 'events'): void {
    const now = Date.now();
    if (now - this.lastPrinted < (this.stream.isTTY ? 100 : 2000) && done < total) return;
    this.lastPrinted = now;
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    const left = rate > 0 ? Math.max(0, (total - done) / rate) : 0;
    const bar = '#'.repeat(Math.round(fraction * 30)).padEnd(30, '.');
    const line =
      `${this.label} [${bar}] ${(fraction * 100).toFixed(0).padStart(3)}% ` +
      `${done.toLocaleString('en-GB')}/${total.toLocaleString('en-GB')} ${unit}  ` +
      `${Math.round(rate).toLocaleString('en-GB')} ${unit}/s  ${left.toFixed(0)} s left`;
    this.stream.write(this.stream.isTTY ? `\r${line}\x1b[K` : `${line}\n`);
  }

  finish(): void {
    if (this.stream.isTTY) this.stream.write('\n');
  }
}
