/** The sharing module's public interface. */
export {
  apply,
  decide,
  resubmit,
  withdraw,
  revokeGrant,
  listApplications,
  getApplication,
  decisionIsAuthentic,
  maskOf,
  SERVICES,
  type ApplicationInput,
} from './applications.js';
export { maskValue, maskSql, type Mask } from './masking.js';
export { queryPlan, verifyPlan, statsPlan, type GrantScope, type Dataset } from './views.js';
