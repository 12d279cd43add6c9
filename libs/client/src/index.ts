export * from './signing';
export * from './errors';
export * from './messages';
export * from './book';
export * from './rest-client';
export * from './ws-client';
export * from './payout-address';
export * from './node-socket';
