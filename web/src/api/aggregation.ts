/** The aggregation module's contracts for the pages that use them (kept out of the shared chunk: Zod schemas cannot be tree-shaken). */
export * from '../../../src/modules/aggregation/schema.js';
