/** The objection module's public interface (the sharing module shows flags and takes apps' objections). */
export { raise, raiseInput, respond, respondInput, keyTextOf, type RaiseInput, type PublicRaiser } from './flow.js';
export { flagsOf, type Flag, type ResourceFlags } from './read.js';
