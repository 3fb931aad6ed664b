export { FolderFileError, isSafeName, parseJsonText, pathInside, readInside, readRegularFileSync, safeName, writeInside, type ReadOptions, type WriteOptions } from './folder-files.js';
