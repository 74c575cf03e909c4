/** `oss-sync simulate`: runs the OSS simulator standalone until SIGINT/SIGTERM. */
import type { SimulatorSize } from '../config.js';
import type { Logger } from '../logger.js';
import type { SimulatorFaults } from './faults.js';
import { startSimulator } from './server.js';

export interface SimulatorCommandArgs {
  port?: number;
  /** Interface to listen on (default 127.0.0.1; 0.0.0.0 in a container). */
  host?: string;
  seed?: number;
  size?: SimulatorSize;
  manifestPath?: string;
  /** Requests per second per key (burst: twice that); null: unlimited. Default: the simulator's 10 rps, burst 20. */
  quotaRps?: number | null;
  latencyMs?: number;
  userKey?: string;
  /** Renders the whole partnership listing (pages of 500) into memory in the background, for benchmarks. */
  prewarm?: boolean;
  /** Stops the simulator when aborted (besides SIGINT/SIGTERM). */
  signal?: AbortSignal;
}

/** Starts the simulator and resolves once SIGINT, SIGTERM (or the abort signal) has stopped it. */
export async function runSimulatorCommand(args: SimulatorCommandArgs, log: Pick<Logger, 'info'>): Promise<void> {
  const faults: Partial<SimulatorFaults> = {};
  if (args.quotaRps !== undefined)
    faults.quota =
      args.quotaRps === null ? null : { rps: args.quotaRps, burst: Math.max(1, Math.ceil(args.quotaRps * 2)) };
  if (args.latencyMs !== undefined) faults.latencyMs = args.latencyMs;
  const started = Date.now();
  const sim = await startSimulator({
    port: args.port ?? 0,
    ...(args.host !== undefined ? { host: args.host } : {}),
    seed: args.seed ?? 1,
    size: args.size ?? 'small',
    faults,
    ...(args.userKey !== undefined ? { userKey: args.userKey } : {}),
    ...(args.manifestPath !== undefined ? { manifestPath: args.manifestPath } : {}),
    ...(args.prewarm ? { prewarm: { pageSize: 500 } } : {}),
  });
  const { counts } = sim.manifest;
  log.info(
    {
      url: sim.url,
      seed: sim.manifest.seed,
      size: sim.manifest.size,
      partnerships: counts.partnerships,
      businesses: counts.businesses,
      licences: counts.licences,
      planted: sim.manifest.planted.length,
      manifestPath: args.manifestPath ?? null,
      startupMs: Date.now() - started,
    },
    'OSS simulator listening (synthetic data, not real OSS)',
  );
  if (args.prewarm) {
    void sim.control
      .prewarmed()
      .then((pages) => log.info({ pages, ms: Date.now() - started }, 'listKemitraan pages pre-rendered'));
  }
  await new Promise<void>((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      args.signal?.removeEventListener('abort', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    if (args.signal?.aborted) done();
    else args.signal?.addEventListener('abort', done, { once: true });
  });
  await sim.stop();
  log.info({ stats: sim.control.stats().byMethod }, 'OSS simulator stopped');
}
