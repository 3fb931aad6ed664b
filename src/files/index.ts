export { FolderFileError, isSafeName, parseJsonText, pathInside, readInside, safeName, writeInside, type ReadOptions, type WriteOptions } from './folder-files.js';
