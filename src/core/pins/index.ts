/** Public API of tool-metadata pins and JSON diffs. */
export { pinMetadata, diffMetadata, unreadLists } from './metadata';
export type { ItemPin, MetadataPins, ItemKind, ItemDiff, MetadataDiff, ListKey, WordChange } from './metadata';
export { diffJson, jsonEqual, escapePointerToken, MAX_JSON_CHANGES } from './jsonDiff';
export { proposeShapePins, equalByShape, matchesShape, shapeOfChange, describeShapePins, SHAPE_LABEL } from './shape';
export type { ShapePin, ShapeName } from './shape';
