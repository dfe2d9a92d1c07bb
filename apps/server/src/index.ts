export { startAnlan, openConfiguredDatabase, prepareDatabase, type StartOptions, type RunningAnlan } from './server.ts';
export { buildApp } from './app.ts';
export { verifyAuditChain } from './audit/service.ts';
export { seedDemo, DEMO_ACCOUNTS, DEMO_COUNTY, DEMO_PREFECTURE } from './seed/demo.ts';
export { createUser, listUsers, resetPassword } from './users/service.ts';
export { createToken } from './tokens/service.ts';
export { importOfficialBoundaries } from './regions/service.ts';
export { SYSTEM_ACTOR } from './caller.ts';
export { VERSION } from './version.ts';
