/** Structured logs: one JSON object per line on stdout. */
const LEVELS = { debug: 10, info: 20, warning: 30, error: 40 } as const;
export type Level = keyof typeof LEVELS;
export type Fields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warning(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
}

export function createLogger(
  options: { level?: Level; service?: string; write?: (line: string) => void } = {},
): Logger {
  const min = LEVELS[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const log = (level: Level) => (msg: string, fields: Fields = {}) => {
    if (LEVELS[level] < min) return;
    const entry: Fields = { time: new Date().toISOString(), level, msg, service: options.service, ...fields };
    if (fields.err instanceof Error) {
      entry.err = { message: fields.err.message, stack: fields.err.stack };
    }
    write(JSON.stringify(entry));
  };
  return { debug: log('debug'), info: log('info'), warning: log('warning'), error: log('error') };
}
