export * from './canonical';
export * from './fingerprint';
export { findReferencedFiles, resolveVariables, MAX_HASHED_FILE_BYTES, type VariableContext, type ReferenceOptions } from './references';
