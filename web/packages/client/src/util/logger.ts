/**
 * Named loggers per subsystem (docs/logging.md rubric): info = one line per lifecycle
 * transition, debug = individual messages, warn = recovered anomaly, error = user-visible failure.
 * The last entries are kept in memory so tests (and a support "copy logs" button) can read them.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogEntry {
  at: number;
  level: LogLevel;
  name: string;
  message: string;
  fields?: Record<string, unknown>;
}

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const history: LogEntry[] = [];
const HISTORY_MAX = 500;
let threshold: LogLevel = 'info';
let sink: ((entry: LogEntry) => void) | null = defaultSink;

function defaultSink(e: LogEntry): void {
  const line = `[${e.name}] ${e.message}`;
  const args = e.fields ? [line, e.fields] : [line];
  if (e.level === 'error') console.error(...args);
  else if (e.level === 'warn') console.warn(...args);
  else if (e.level === 'info') console.info(...args);
  else console.debug(...args);
}

export function setLogLevel(level: LogLevel): void {
  threshold = level;
}

/** Replaces the console sink (tests pass `null` to keep output quiet). */
export function setLogSink(next: ((entry: LogEntry) => void) | null): void {
  sink = next;
}

export function logHistory(): readonly LogEntry[] {
  return history;
}

export function clearLogHistory(): void {
  history.length = 0;
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export function getLogger(name: string): Logger {
  const log = (level: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    const entry: LogEntry = { at: Date.now(), level, name, message, fields };
    history.push(entry);
    if (history.length > HISTORY_MAX) history.shift();
    if (order[level] >= order[threshold]) sink?.(entry);
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
  };
}
