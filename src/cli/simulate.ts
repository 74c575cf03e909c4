import { type Config, SIMULATOR_SIZES, type SimulatorSize } from '../config.js';
import type { Logger } from '../logger.js';
import { runSimulatorCommand } from '../simulator/index.js';
import { parseFlags, UsageError } from './args.js';

const int = (name: string, v: string | boolean | string[] | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number, got "${String(v)}"`);
  return n;
};

/**
 * `oss-sync simulate [--port P] [--host H] [--seed N] [--size S] [--quota-rps R|none] [--latency-ms MS]
 * [--manifest FILE] [--prewarm]`; --prewarm renders every listing page before serving (benchmarks).
 */
export async function simulateCommand(config: Config, log: Logger, args: string[]): Promise<number> {
  const { values } = parseFlags(args, {
    port: { type: 'string' },
    host: { type: 'string' },
    seed: { type: 'string' },
    size: { type: 'string' },
    'quota-rps': { type: 'string' },
    'latency-ms': { type: 'string' },
    manifest: { type: 'string' },
    'user-key': { type: 'string' },
    prewarm: { type: 'boolean' },
  });
  const size = (values.size as string | undefined) ?? config.simulator.size;
  if (!(SIMULATOR_SIZES as readonly string[]).includes(size)) {
    throw new UsageError(`--size must be one of ${SIMULATOR_SIZES.join(', ')}, got "${size}"`);
  }
  const quota = values['quota-rps'];
  const port = int('port', values.port);
  const latencyMs = int('latency-ms', values['latency-ms']);
  await runSimulatorCommand(
    {
      port: port ?? 8090,
      ...(typeof values.host === 'string' ? { host: values.host } : {}),
      seed: int('seed', values.seed) ?? config.simulator.seed,
      size: size as SimulatorSize,
      ...(quota === undefined ? {} : { quotaRps: quota === 'none' ? null : Number(quota) }),
      ...(latencyMs === undefined ? {} : { latencyMs }),
      ...(typeof values.manifest === 'string' ? { manifestPath: values.manifest } : {}),
      ...(typeof values['user-key'] === 'string' ? { userKey: values['user-key'] } : {}),
      ...(values.prewarm === true ? { prewarm: true } : {}),
    },
    log,
  );
  return 0;
}
