/** The governance module's public interface. */
export { validate, VALUE_RULES, REASONS, type ValueRule, type Verdict } from './validators.js';
export {
  suggestRules,
  listRules,
  saveRule,
  deleteRule,
  rulesOf,
  KINDS,
  DIMENSIONS,
  WEIGHTS,
  type Rule,
  type RuleInput,
} from './rules.js';
export { checkResource, type CheckResult } from './checks.js';
export { processCheckRequests } from './check-requests.js';
export { blockingRules } from './rule-sql.js';
export { listProblems, confirmProblem, listChecks, scores } from './read.js';
export { listTasks, taskDeadline, problemsWorkbook, assignTasks } from './tasks.js';
export { openProfile } from './profiles.js';
