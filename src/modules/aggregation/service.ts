/** The aggregation module's public interface. */
export {
  runIngest,
  failStaleRuns,
  mapColumns,
  setIngestHooks,
  type IngestHooks,
  type IngestInput,
  type RunResult,
  type Progress,
  type BlockingRules,
} from './engine.js';
export { openCsv, detectEncoding, type Encoding } from './files.js';
export { openXlsx } from './excel.js';
export { openJson } from './json.js';
export { typeValue, parseDate, parseDateTime, halfWidth } from './clean.js';
export { createSource, testSource, runSource, dispatchSchedules, sourceInput, type SourceInput } from './sources.js';
export { parseCron } from './cron.js';
export { removeStaleUploads } from './upload.js';
export { correctionRun } from './corrections.js';
export { lastSucceededAt, sourceNamesOf } from './read.js';
