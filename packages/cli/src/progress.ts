import type { OutputStream } from './io.js';

/**
 * A one-line status on stderr, redrawn in place at most every `everyMs`. It draws only when the
 * stream is a terminal: piped or redirected stderr gets no progress and no escape codes.
 */
export class ProgressLine {
  private last = 0;
  private shown = false;
  readonly enabled: boolean;

  constructor(
    private readonly out: OutputStream,
    private readonly everyMs = 100,
  ) {
    this.enabled = out.isTTY === true;
  }

  /** Draws the text when the last draw is older than everyMs (or when forced). */
  update(text: () => string, force = false): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (!force && now - this.last < this.everyMs) return;
    this.last = now;
    const width = (this.out.columns ?? 80) - 1;
    this.out.write(`\r\x1b[K${text().slice(0, width)}`);
    this.shown = true;
  }

  /** Removes the line, so what follows starts on a clean line. */
  clear(): void {
    if (this.shown) this.out.write('\r\x1b[K');
    this.shown = false;
  }
}

/** `[#####.....]` for a fraction in [0, 1]. */
export function bar(fraction: number, width = 30): string {
  const f = Math.min(1, Math.max(0, fraction));
  const full = Math.round(f * width);
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}]`;
}
