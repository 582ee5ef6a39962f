/**
 * A one-line progress bar on a terminal (stderr), silent elsewhere so logs and pipes stay clean.
 * Redraws at most every 100 ms; `done()` prints the final count and rate.
 */
export class ProgressBar {
  private readonly label: string;
  private readonly total: number | undefined;
  private readonly stream: NodeJS.WriteStream;
  private readonly started = performance.now();
  private current = 0;
  private lastDraw = 0;

  constructor(label: string, total?: number, stream: NodeJS.WriteStream = process.stderr) {
    this.label = label;
    this.total = total;
    this.stream = stream;
  }

  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  tick(n = 1): void {
    this.current += n;
    const now = performance.now();
    if (this.enabled && now - this.lastDraw > 100) {
      this.lastDraw = now;
      this.draw(now);
    }
  }

  /** Ends the bar and returns the summary line (also printed). */
  done(unit = 'items'): string {
    const seconds = (performance.now() - this.started) / 1000;
    const rate = seconds > 0 ? this.current / seconds : 0;
    const line = `${this.label}: ${this.current} ${unit} in ${seconds.toFixed(1)} s (${rate.toFixed(1)} ${unit}/s)`;
    if (this.enabled) this.stream.write('\r\x1b[2K');
    this.stream.write(`${line}\n`);
    return line;
  }

  private draw(now: number): void {
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? this.current / seconds : 0;
    let text: string;
    if (this.total && this.total > 0) {
      const frac = Math.min(1, this.current / this.total);
      const width = 30;
      const filled = Math.round(frac * width);
      const eta = rate > 0 ? (this.total - this.current) / rate : 0;
      text = `${this.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${this.current}/${this.total} ${(frac * 100).toFixed(0)}% ${rate.toFixed(1)}/s eta ${eta.toFixed(0)}s`;
    } else {
      text = `${this.label} ${this.current} ${rate.toFixed(1)}/s`;
    }
    this.stream.write(`\r\x1b[2K${text}`);
  }
}
