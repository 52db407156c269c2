// A progress bar for long command-line jobs (seeding, imports, bulk report runs), written to
// stderr so stdout stays clean for results. On a terminal it redraws one line in place at most
// ten times a second; in logs and CI (not a TTY) it prints a plain line every 10% instead, so
// a million-row job does not produce a million lines.

export type ProgressBar = {
  /** Report `done` units out of `total` (the total may be learned or corrected late). */
  update(done: number, total?: number): void;
  /** Prints the final state and the elapsed time; returns the elapsed milliseconds. */
  finish(message?: string): number;
};

type Stream = Pick<NodeJS.WriteStream, "write"> & { isTTY?: boolean; columns?: number };

const REDRAW_MS = 100;
const BAR_WIDTH = 24;

export function createProgressBar(
  label: string,
  total = 0,
  options: { stream?: Stream; now?: () => number } = {}
): ProgressBar {
  const stream: Stream = options.stream ?? process.stderr;
  const now = options.now ?? (() => performance.now());
  const tty = Boolean(stream.isTTY);
  const started = now();
  let done = 0;
  let lastDraw = -Infinity;
  let lastDecile = -1;
  let drawnLength = 0;
  // Rate and ETA count from the first update: a job may spend a while preparing before it
  // reports anything, and that time says nothing about how fast the rest will go.
  let rateFrom: { at: number; done: number } | null = null;
  let finished = false;

  function line(): string {
    const t = now();
    const fraction = total > 0 ? Math.min(1, done / total) : 0;
    const since = rateFrom ? t - rateFrom.at : 0;
    const rate = rateFrom && since > 0 ? ((done - rateFrom.done) / since) * 1000 : 0;
    const eta = rate > 0 && total > done ? ((total - done) / rate) * 1000 : 0;
    const filled = Math.round(fraction * BAR_WIDTH);
    const parts = [
      label,
      tty ? `[${"█".repeat(filled)}${"░".repeat(BAR_WIDTH - filled)}]` : "",
      `${(fraction * 100).toFixed(0).padStart(3)}%`,
      `${formatCount(done)}/${formatCount(total)}`,
      `${formatCount(Math.round(rate))}/s`,
      done < total ? `ETA ${rate > 0 ? formatDuration(eta) : "--"}` : "",
    ];
    return parts.filter(Boolean).join("  ");
  }

  return {
    update(value, newTotal) {
      if (finished) return;
      done = value;
      if (newTotal !== undefined) total = newTotal;
      rateFrom ??= { at: now(), done };
      if (tty) {
        const t = now();
        if (t - lastDraw < REDRAW_MS && done < total) return;
        lastDraw = t;
        // Cut to the terminal width (a wrapped line cannot be redrawn with \r) and pad to the
        // previous length so a shorter line leaves no stale characters behind.
        const text = line().slice(0, stream.columns ? stream.columns - 1 : undefined);
        stream.write(`\r${text.padEnd(drawnLength)}`);
        drawnLength = text.length;
      } else {
        const decile = total > 0 ? Math.floor((Math.min(done, total) / total) * 10) : 0;
        if (decile <= lastDecile) return;
        lastDecile = decile;
        stream.write(`${line()}\n`);
      }
    },
    finish(message) {
      const elapsed = now() - started;
      if (finished) return elapsed;
      finished = true;
      if (tty) stream.write(`\r${line().padEnd(drawnLength)}\n`);
      else if (lastDecile < 10 && total > 0 && done >= total) stream.write(`${line()}\n`);
      stream.write(`${message ?? label} done in ${formatDuration(elapsed)}\n`);
      return elapsed;
    },
  };
}

/** 1234567 → "1,234,567" (grouping fixed so output is the same on every machine). */
export function formatCount(n: number): string {
  return Math.trunc(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** 8_300 → "8.3s", 125_000 → "2m05s", 3_725_000 → "1h02m". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "?";
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}
