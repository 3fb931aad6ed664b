/** The outputs records go to; each is a RecordSink, listed in startInstance. */
export type { RecordSink } from './sink.js';
export { trafficFileSink } from './traffic-file.js';
export { consoleLineSink } from './console-line.js';
