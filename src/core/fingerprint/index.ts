export * from './canonical';
export * from './fingerprint';
export { findReferencedFiles, MAX_HASHED_FILE_BYTES, type ReferenceGap, type VariableContext, type ReferenceOptions } from './references';
