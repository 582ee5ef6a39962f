import { logLevel as KafkaLogLevel } from 'kafkajs';
import type { Config } from '../config/index.ts';

export type LogLevel = Config['logLevel'];

/** The few log calls the Kafka side makes; tests pass a silent or recording one. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Lines on stderr, prefixed with the component, below `level` dropped. */
export function consoleLogger(component: string, level: LogLevel = 'info'): Logger {
  const at = (l: LogLevel) => (message: string) => {
    if (RANK[l] >= RANK[level])
      console.error(`${new Date().toISOString()} ${l.toUpperCase()} [${component}] ${message}`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** LOG_LEVEL as kafkajs spells it. */
export function kafkaLogLevel(level: LogLevel): KafkaLogLevel {
  switch (level) {
    case 'debug':
      return KafkaLogLevel.DEBUG;
    case 'info':
      return KafkaLogLevel.INFO;
    case 'warn':
      return KafkaLogLevel.WARN;
    case 'error':
      return KafkaLogLevel.ERROR;
  }
}
