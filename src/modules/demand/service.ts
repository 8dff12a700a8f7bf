/** The demand module's public interface. */
export { submitDemand, answerDemand, provideDemand, applyFromDemand, rateDemand } from './flow.js';
export { demandInput } from './schema.js';
