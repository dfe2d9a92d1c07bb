export * from './types.ts';
export { parseCap } from './parse.ts';
