/** Structured JSON log lines. IP addresses only when the operator turns that on. */
export type LogLevel = 'info' | 'warn' | 'error';
export type LogSink = (line: string) => void;

export class Logger {
  constructor(
    private readonly sink: LogSink,
    readonly logIps: boolean,
  ) {}

  log(level: LogLevel, event: string, fields: Record<string, unknown> = {}): void {
    const { ip, ...rest } = fields;
    const record: Record<string, unknown> = { time: new Date().toISOString(), level, event, ...rest };
    if (this.logIps && ip !== undefined) record.ip = ip;
    this.sink(JSON.stringify(record));
  }

  info(event: string, fields?: Record<string, unknown>): void {
    this.log('info', event, fields);
  }

  warn(event: string, fields?: Record<string, unknown>): void {
    this.log('warn', event, fields);
  }

  error(event: string, fields?: Record<string, unknown>): void {
    this.log('error', event, fields);
  }
}
