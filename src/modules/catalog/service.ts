/** The catalog module's public interface: other modules call these, never its tables. */
export {
  createResource,
  updateResource,
  submitResource,
  withdrawSubmission,
  reviewResource,
  startChange,
  retireResource,
  onPublish,
  type PublishHook,
} from './lifecycle.js';
export {
  getResource,
  listResources,
  reviewQueue,
  listVersions,
  resourceHistory,
  diffVersions,
  diff,
  listCategories,
  createCategory,
  renameCategory,
  getSettings,
  updateSettings,
  resourcesWithIdentity,
  publishedNames,
} from './read.js';
export { resourceFacts, resourceFact, resourceIdsOf, resourceIdsNamed, type ResourceFacts } from './facts.js';
export { openEntries, openEntry, type OpenEntry } from './open-view.js';
export { searchCatalog } from './search.js';
export { catalogOverview } from './entry.js';
export { suggestItem, gradeOf, sqlType } from './items.js';
export { tableNameOf } from './dataset.js';
export { CkanError } from './ckan.js';
export { asCkan, defineAction, registerActions } from './ckan-action.js';
export { ckanParam } from './ckan-routes.js';
export { ckanOk, ckanFailure } from './ckan-schema.js';
