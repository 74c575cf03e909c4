import { pino } from 'pino';

/** The logger surface components depend on. */
export type Logger = pino.Logger;

/**
 * Keys that never reach a log line: secrets and identity numbers. Components log counts and ids, not payloads,
 * and these paths catch the rest.
 */
export const REDACT_PATHS = [
  'user_key',
  '*.user_key',
  'headers.user_key',
  '*.headers.user_key',
  '*.headers.authorization',
  '*.headers.Authorization',
  '*.headers.Token',
  '*.headers.token',
  'password',
  '*.password',
  'token',
  '*.token',
  'adminToken',
  '*.adminToken',
  'userKey',
  '*.userKey',
  'nik_umkm',
  '*.nik_umkm',
  '*.no_identitas_pemegang_saham',
  '*.no_identitas_penanggung_jwb',
  '*.no_identitas_pj',
  '*.no_id_user_proses',
  'config.oss.userKey',
  'config.push.password',
  'config.http.adminToken',
  'config.database.url',
];

/** Creates the root logger: JSON lines on stdout, secrets and NIKs redacted. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'oss-sync' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.err },
    },
    destination,
  );
}
