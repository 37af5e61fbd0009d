/** Public API of tool-metadata pins and JSON diffs (issue 3, "Pins and diff"). */
export { pinMetadata, diffMetadata } from './metadata';
export type { ItemPin, MetadataPins, ItemKind, ItemDiff, MetadataDiff, WordChange } from './metadata';
export { diffJson, jsonEqual, escapePointerToken, MAX_JSON_CHANGES } from './jsonDiff';
