/** Domain types as they cross the contract, one file per domain. */
export * from './common';
export * from './sessions';
export * from './messages';
export * from './search';
export * from './usage';
export * from './app';
export * from './providers';
export * from './settings';
export * from './logs';
export * from './jobs';
export * from './import';
export * from './attachments';
export * from './export';
export * from './tools';
export * from './sync';
