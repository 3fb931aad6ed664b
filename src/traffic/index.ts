/** The traffic records' public surface: the record type and schema, and the readers of the log files. */
export { TrafficRecordSchema, localDay, trafficFileName, type TrafficRecord, type TrafficMessage, type RecordHeaders, type BodyEncoding, type RepeatedRefusal } from './record.js';
export { describeRepeated } from './repeated-refusals.js';
export { readRecords, readRecordFile, readLastRecords, listTrafficFiles, followRecords, parseRecordLine, wholeLineEnds, type ReadRecordsOptions, type TrafficFile, type FollowOptions } from './reader.js';
export { bodyValue, JsonBody } from './json-body.js';
