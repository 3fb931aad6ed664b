/** Answers generated from the API document: the generator and the answer source `mock` runs. */
export { mockAnswerSource, type MockOptions, type ValidateMode } from './source.js';
export { MOCK_HEADER } from './ons-errors.js';
export { COLLECTION_SIZE, DEFAULT_ITEMS, MAX_ITEMS } from './generator.js';
