export * from './types';
export * from './store';
export { trustStoreSchema, validateStoreData } from './schema';
export * from './decisions';
export * from './pending';
export { FileWatcher, type FileWatcherOptions } from './watch';
