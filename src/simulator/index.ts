/** The OSS simulator: a seeded Kabupaten Rembang world served over HTTP with fault knobs (sandbox and tests). */
export type { SimulatorCommandArgs } from './cli.js';
export { runSimulatorCommand } from './cli.js';
export type { SimulatorFaults } from './faults.js';
export { DEFAULT_FAULTS } from './faults.js';
export type { RunningSimulator, SimulatorControl, SimulatorStats, StartSimulatorOptions } from './server.js';
export { SIMULATOR_METHODS, startSimulator } from './server.js';
export type {
  ControlCase,
  InvalidRecord,
  Json,
  PlantedCase,
  SimDataIzin,
  SimDataNib,
  SimKemitraan,
  SimListedNib,
  SimRealisasi,
  SimulatorManifest,
  WorldCounts,
} from './types.js';
export type { GenerateWorldOptions, KemitraanQuery, MutateOptions, MutateResult, NibQuery } from './world.js';
export { generateWorld, SimulatorWorld } from './world.js';
