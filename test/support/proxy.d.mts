export interface LoggingProxy {
  port: number;
  log: { method: string; url: string; headers: Record<string, string | string[] | undefined> }[];
  prefs: Record<string, string | number | boolean>;
  close(): Promise<void>;
}
export function startLoggingProxy(): Promise<LoggingProxy>;
