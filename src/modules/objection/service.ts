/** The objection module's public interface (the sharing module shows flags and takes apps' objections). */
export { raise, type PublicRaiser } from './flow.js';
export { respond } from './respond.js';
export { keyTextOf } from './records.js';
export { raiseInput, respondInput, type RaiseInput } from './schema.js';
export { flagsOf, type Flag, type ResourceFlags } from './read.js';
export { raisedToday, objectionsOfKey, type PublicObjection } from './public.js';
