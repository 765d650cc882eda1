/** The agent's pino logger; modules take a child (`log.child({ module })`). Secrets are never logged. */
import pino, { type Logger } from 'pino';

export function createLogger(level = 'info'): Logger {
  return pino({
    level,
    base: { service: 'tfgrid-agent' },
    redact: { paths: ['seed', '*.seed', 'secret', '*.secret'], censor: '[redacted]' },
  });
}
