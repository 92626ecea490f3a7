import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';

/** JSON logs. Request logs carry method, path, status and ids; never a header, a token or a body. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'learning-actions' },
    redact: { paths: ['req.headers', 'headers.authorization', 'authorization', 'body', 'req.body'], remove: true },
    serializers: {
      req: (req: { method: string; url: string; id: string }) => ({ method: req.method, path: req.url.split('?')[0], id: req.id }),
    },
  });
}

/** Lets NestJS write its own messages through the same JSON logger. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.write('info', message, context);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest.at(-1));
  }
  warn(message: unknown, context?: string): void {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.write('trace', message, context);
  }

  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace', message: unknown, context: unknown): void {
    const ctx = typeof context === 'string' ? { context } : {};
    if (typeof message === 'object' && message !== null) this.logger[level]({ ...ctx, ...message });
    else this.logger[level](ctx, String(message));
  }
}
