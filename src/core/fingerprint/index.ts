export * from './canonical';
export * from './fingerprint';
export { findReferencedFiles, pinLaunchClosure, INCOMPLETE_PIN_RULE, WORKSPACE_PACKAGE_RULE, type ReferenceGap, type VariableContext, type ReferenceOptions } from './references';
