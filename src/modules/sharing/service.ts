/** The sharing module's public interface. */
export { apply, decide, resubmit, withdraw, maskOf, SERVICES, type ApplicationInput } from './applications.js';
export { revokeGrant } from './grants.js';
export { listApplications, getApplication, decisionIsAuthentic } from './read.js';
export { maskValue, maskSql, type Mask } from './masking.js';
export { queryPlan, verifyPlan, statsPlan, type GrantScope, type Dataset } from './views.js';
