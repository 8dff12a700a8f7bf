/** The objection module's public interface (the sharing module shows flags and takes apps' objections). */
export { raise, raiseInput, keyTextOf, type RaiseInput } from './flow.js';
export { flagsOf, type Flag, type ResourceFlags } from './read.js';
