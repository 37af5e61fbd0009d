export * from './evaluate';
export * from './scan';
export * from './locate';
export * from './metadata';
