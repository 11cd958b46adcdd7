// Structured logging shared by every desktop layer. Pure (no Node, no Electron): where lines go is the caller's
// choice; the file logger lives in src-main/services/file-logger.ts.

/** Structured context for a log line. Values are redacted by key name before they are written. */
export type LogFields = Readonly<Record<string, unknown>>;

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * The one logger interface of the desktop side (bridge, simulator, services, hosts). Library code never prints:
 * the app passes the rotating file logger (src-main/services/file-logger.ts), tests pass
 * {@link createMemoryLogger}, CLIs print.
 */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const SECRET_KEY = /pass(word)?|secret|token|authori[sz]ation|cookie|api[-_]?key|private|credential/i;
const MAX_DEPTH = 6;

/** Copies `value` with every property whose name looks secret replaced by `[redacted]`. */
export function redact(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[…]';
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    out[k] = SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}

/** A captured log line. */
export interface LogRecord {
  readonly level: LogLevel;
  readonly message: string;
  readonly fields: LogFields | undefined;
}

/** A logger that keeps redacted lines in memory, for tests. */
export function createMemoryLogger(): Logger & { readonly records: LogRecord[] } {
  const records: LogRecord[] = [];
  const write =
    (level: LogLevel) =>
    (message: string, fields?: LogFields): void => {
      records.push({
        level,
        message,
        fields: fields === undefined ? undefined : (redact(fields) as LogFields),
      });
    };
  return {
    records,
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
  };
}

/** A logger that drops everything. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
