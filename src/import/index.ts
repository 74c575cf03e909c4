/*
 * import/: OSS dashboard exports ("DP Proyek", "DP NIB Kantor", "List Izin", csv or xlsx) as a source of the OSS
 * tables: `oss-sync import FILE…` and the IMPORT_DIR drop folder of `serve`.
 */
export {
  type DropFolderOptions,
  type DropFolderOutcome,
  type DropFolderWatcher,
  importDropFolder,
  startImportDropFolder,
} from './dropFolder.js';
export {
  DP_NIB_KANTOR,
  DP_PROYEK,
  EXPORT_TYPES,
  type ExportTypeDef,
  type ExportTypeId,
  LIST_IZIN,
} from './exportTypes.js';
export { recognizeHeader } from './headers.js';
export {
  type ImportDeps,
  type ImportOptions,
  type ImportProgress,
  type ImportResult,
  importExportFile,
  type RowCounts,
  type TableOutcome,
} from './importFile.js';
export { renderImportSummary } from './summary.js';
