/**
 * Shipyard deployment health: report types, permissions, entity matching and
 * the pure health rules shared by the backend and the frontend.
 *
 * @packageDocumentation
 */
export * from './types';
export * from './reasons';
export * from './versionTypes';
export * from './timelineTypes';
export * from './reports';
export * from './permissions';
export * from './annotations';
export * from './rules';
export * from './tenancy';
export * from './signals';
export * from './templateVersions';
