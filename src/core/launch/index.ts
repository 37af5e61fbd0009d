export { computeClosure, ClosureCache, defaultClosureCache, CLOSURE_LIMITS, type ClosureFile, type ClosureKind, type ClosureLimits, type ClosureOptions, type CodeClosure } from './closure';
export type { ClosureGap, GapReason, PackageShadow, ResolvedLaunch } from './plan';
export { FileHashCache, hashStream } from './hash';
export { repoRootOf, isInside, displayRef } from './paths';
