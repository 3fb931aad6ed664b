/** The answer sources tried before forwarding, and the order they are asked in. */
export { tryAnswerSources, type AnswerSource, type AnswerSourceName } from './source.js';
export { fixtureAnswerSource, type FixtureSourceOptions } from './fixtures.js';
export { hasRequestBody, requestBody } from './body.js';
