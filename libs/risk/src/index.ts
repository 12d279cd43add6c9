export * from './types';
export * from './portfolio-margin';
export * from './scenario-grid';
export * from './stage';
