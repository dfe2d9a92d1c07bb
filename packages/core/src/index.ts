export * from './region-code.ts';
export * from './roles.ts';
export * from './errors.ts';
export * from './clock.ts';
export * from './canonical-json.ts';
export * from './csv.ts';
export * from './uscc.ts';
