export * from './types';
export * from './portfolio-margin';
export * from './pre-trade';
export * from './spot-reservation';
export * from './liquidation';
export * from './scenario-grid';
export * from './stage';
