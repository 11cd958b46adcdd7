/** Display helpers: dates in the reader's locale, money with the account currency's decimals. */

export function formatDateTime(iso: string, withTime = true): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return withTime
    ? date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
    : date.toLocaleDateString(undefined, { dateStyle: 'medium' });
}

/** A journal time: date and time to the second (trades minutes apart must read apart). */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

export function formatMoney(value: number, currency: string): string {
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(value);
  } catch {
    // a broker's made-up currency code (e.g. `USC`, cents): plain number plus the code
    return `${value.toFixed(2)} ${currency}`;
  }
}

export function formatNumber(value: number | null, digits?: number): string {
  if (value === null) return '—';
  return digits === undefined ? String(value) : value.toFixed(digits);
}

/** "Chrome on Windows" from a user agent string, good enough for a sessions list. */
export function summariseAgent(agent: string | null): string {
  if (agent === null || agent === '') return 'Unknown device';
  if (agent.startsWith('Pipdesk')) return 'Pipdesk desktop';
  const browser = /Edg\//.test(agent)
    ? 'Edge'
    : /Firefox\//.test(agent)
      ? 'Firefox'
      : /Chrome\/|Chromium\//.test(agent)
        ? 'Chrome'
        : /Safari\//.test(agent)
          ? 'Safari'
          : /node|undici/i.test(agent)
            ? 'Script'
            : 'Browser';
  const os = /Windows/.test(agent)
    ? 'Windows'
    : /Mac OS X|Macintosh/.test(agent)
      ? 'macOS'
      : /Android/.test(agent)
        ? 'Android'
        : /iPhone|iPad/.test(agent)
          ? 'iOS'
          : /Linux/.test(agent)
            ? 'Linux'
            : null;
  return os === null ? browser : `${browser} on ${os}`;
}

/** Relative age like "12 s ago" for live status. */
export function ago(iso: string | null, now: number): string {
  if (iso === null) return 'never';
  const seconds = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} d ago`;
}
