export * from './types';
export * from './load';
export * from './evaluate';
export * from './export';
