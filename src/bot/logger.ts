/**
 * The structured log (pino). Secrets stay out of it: the bot token is redacted wherever a field carries it, and
 * interaction tokens are cut out of the URLs that Discord API errors carry.
 */
import pino, { type DestinationStream, type Logger } from 'pino';

const TOKEN_IN_URL = /\/(webhooks|interactions)\/(\d+)\/[^/?\s]+/g;

export function scrubUrl(text: string): string {
  return text.replace(TOKEN_IN_URL, '/$1/$2/<token>');
}

function serializeError(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(error as Error) as unknown as Record<string, unknown>;
  const clean: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(serialized)) {
    if (key === 'requestBody') continue; // may hold a whole message with files
    clean[key] = typeof value === 'string' ? scrubUrl(value) : value;
  }
  return clean;
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({
    level,
    base: { app: 'motif' },
    redact: { paths: ['token', '*.token', 'config.token', 'headers.authorization', '*.headers.authorization'], censor: '[redacted]' },
    serializers: { err: serializeError },
  }, destination);
}
