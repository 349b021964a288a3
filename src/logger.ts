import pino, { type Logger } from 'pino';
import type { Config } from './config.ts';

/**
 * JSON lines for machines; pretty only when a person is watching a terminal. Credentials and
 * cookies are redacted wherever they appear in a logged request.
 */
export function createLogger(level: Config['logLevel']): Logger {
  const pretty = process.stdout.isTTY && process.env.NODE_ENV !== 'production';
  return pino({
    level,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'], censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } } : {}),
  });
}
