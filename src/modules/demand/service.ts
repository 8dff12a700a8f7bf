/** The demand module's public interface. */
export { submitDemand, answerDemand, provideDemand, applyFromDemand, rateDemand, demandInput } from './flow.js';
