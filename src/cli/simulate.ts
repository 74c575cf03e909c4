import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config, SimulatorSize } from '../config.js';
import { fmt } from '../domain/format.js';
import type { Logger } from '../logger.js';
import { runSimulatorCommand } from '../simulator/index.js';
import type { Invocation } from './program.js';
import { intOption as int } from './usage.js';

/**
 * `oss-sync simulate [--port P] [--host H] [--seed N] [--size S] [--quota-rps R|none] [--latency-ms MS]
 * [--manifest FILE] [--prewarm] [--write-exports DIR]`; --prewarm renders every listing page before serving
 * (benchmarks); --write-exports writes the sandbox world's three dashboard exports (csv and xlsx) and exits.
 */
export async function simulateCommand(config: Config, log: Logger, inv: Invocation): Promise<number> {
  const values = inv.opts as Record<string, string | boolean | undefined>;
  const size = (values.size as SimulatorSize | undefined) ?? config.simulator.size;
  const quota = values.quotaRps;
  const port = int('port', values.port);
  const latencyMs = int('latency-ms', values.latencyMs);
  const seed = int('seed', values.seed) ?? config.simulator.seed;
  if (typeof values.writeExports === 'string') return writeExports(config, values.writeExports, seed, size);
  await runSimulatorCommand(
    {
      port: port ?? 8090,
      ...(typeof values.host === 'string' ? { host: values.host } : {}),
      seed,
      size: size as SimulatorSize,
      ...(quota === undefined ? {} : { quotaRps: quota === 'none' ? null : Number(quota) }),
      ...(latencyMs === undefined ? {} : { latencyMs }),
      ...(typeof values.manifest === 'string' ? { manifestPath: values.manifest } : {}),
      ...(typeof values.userKey === 'string' ? { userKey: values.userKey } : {}),
      ...(values.prewarm === true ? { prewarm: true } : {}),
    },
    log,
  );
  return 0;
}

const EXPORT_FILES = { dp_proyek: 'DP Proyek', dp_nib_kantor: 'DP NIB Kantor', list_izin: 'List Izin' } as const;

/** The sandbox world (the anchor of OSS_SYNC_DATA_DIR when a sandbox ran there) as the three dashboard exports. */
async function writeExports(config: Config, dir: string, seed: number, size: SimulatorSize): Promise<number> {
  const { generateWorld } = await import('../simulator/index.js');
  const { writeWorldExport } = await import('../simulator/exports.js');
  let now = new Date();
  try {
    now = new Date(JSON.parse(readFileSync(join(config.database.dataDir, 'sandbox.json'), 'utf8')).anchor);
  } catch {
    // No sandbox ran on this data directory yet: the world as of now.
  }
  const world = generateWorld({ seed, size, kdDaerah: config.oss.kdDaerah, now });
  mkdirSync(dir, { recursive: true });
  for (const [type, name] of Object.entries(EXPORT_FILES) as Array<[keyof typeof EXPORT_FILES, string]>) {
    for (const format of ['csv', 'xlsx'] as const) {
      const path = join(dir, `${name}.${format}`);
      const r = await writeWorldExport({ world, type, format, path });
      process.stdout.write(`${path}: ${fmt(r.rows)} rows\n`);
    }
  }
  process.stdout.write(`Import them with: oss-sync import ${JSON.stringify(join(dir, 'DP Proyek.xlsx'))} …\n`);
  return 0;
}
