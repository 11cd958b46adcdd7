/**
 * Pure helpers of the replay bar (docs/replay.md). Replay times are on the file's trade-server clock and are shown
 * as they are (the file's own dates), never shifted to the trader's zone.
 */

const pad = (n: number): string => String(n).padStart(2, '0');

/** `2024-01-02 10:00:05`: a replay time as the file has it. */
export function formatReplayTime(ms: number | null): string {
  if (ms === null) return '—';
  const d = new Date(ms);
  return (
    `${String(d.getUTCFullYear())}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
}

/** The value a `datetime-local` input takes for a replay time (`2024-01-02T10:00:05`). */
export function toJumpInput(ms: number | null): string {
  return ms === null ? '' : formatReplayTime(ms).replace(' ', 'T');
}

/** A `datetime-local` value (`2024-01-02T10:00` or with seconds) as a replay time; null when it is not one. */
export function parseJumpInput(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (m === null) return null;
  const ms = Date.UTC(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6] ?? 0),
  );
  return Number.isNaN(ms) ? null : ms;
}

/** How far the replay is, 0 to 1, by time (a file's ticks are rarely even in time). */
export function replayProgress(status: {
  readonly timeMs: number | null;
  readonly startMs: number | null;
  readonly endMs: number | null;
}): number {
  const { timeMs, startMs, endMs } = status;
  if (timeMs === null || startMs === null || endMs === null) return 0;
  if (endMs <= startMs) return 1;
  return Math.min(1, Math.max(0, (timeMs - startMs) / (endMs - startMs)));
}

/** A file size in words (`812 KB`, `14.2 MB`). */
export function formatFileSize(bytes: number): string {
  if (bytes < 1024) return `${String(bytes)} B`;
  if (bytes < 1024 * 1024) return `${String(Math.round(bytes / 1024))} KB`;
  return `${(bytes / 1048576).toFixed(1)} MB`;
}
