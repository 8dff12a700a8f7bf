/** The server's own Zod schemas, re-exported for the console (no hand-copied types). */
export * from '../../../src/kernel/auth/schema.js';
export * from '../../../src/kernel/audit/schema.js';
export * from '../../../src/kernel/calendar/schema.js';
export * from '../../../src/kernel/ids/schema.js';
export * from '../../../src/kernel/notify/schema.js';
export { pageOf } from '../../../src/kernel/http/pagination.js';
export { problemDto, type Problem } from '../../../src/kernel/http/problem-schema.js';
export { ROLES, type Role } from '../../../src/kernel/http/context.js';
export { validateUscc } from '../../../src/kernel/ids/uscc.js';
export * from '../../../src/modules/catalog/schema.js';
