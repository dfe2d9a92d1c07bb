import { parseArgs } from 'node:util';
import { NATIONAL_SCOPE, isRole, ROLES, systemClock } from '@anlan/core';
import { migrate } from '@anlan/db';
import { createUser, createToken, listUsers, resetPassword, seedDemo, verifyAuditChain } from '@anlan/server';
import { InProcessBus } from '@anlan/server/events/bus';
import { generatePassword } from '@anlan/server/auth/password';
import { findUserForLogin } from '@anlan/server/users/store';
import { withDatabase, cliActor } from '../db-session.ts';
import { openConfiguredDatabase } from '@anlan/server';
import { dataDirOf, databaseUrlOf, DB_OPTIONS, UsageError } from '../options.ts';
import { ProgressBar, stageLabel } from '../progress.ts';

function need(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new UsageError(`missing --${flag}`);
  return value;
}

function who() {
  return { actor: cliActor(), scope: NATIONAL_SCOPE };
}

export const MIGRATE_HELP = `anlan migrate [--data-dir DIR]\n\nApplies pending database migrations (ANLAN_DATABASE_URL for PostgreSQL).`;

export async function migrateCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: DB_OPTIONS });
  if (values.help) return console.log(MIGRATE_HELP), 0;
  const bar = new ProgressBar();
  const { db } = await openConfiguredDatabase({ dataDir: dataDirOf(values['data-dir']), databaseUrl: databaseUrlOf() });
  try {
    const report = await migrate(db, (done, total, name) => bar.update(stageLabel(`migrate ${name}`), done, total));
    console.log(report.applied.length ? `applied: ${report.applied.join(', ')}` : `up to date (${report.alreadyApplied} migrations)`);
    return 0;
  } finally {
    await db.close();
  }
}

export const SEED_HELP = `anlan seed --demo [--reset] [--data-dir DIR]

Creates the demo data (泸定县 513322 and 甘孜州 513300: accounts of every role), labelled 演示数据.
--reset removes what the demo created and creates it again. Demo accounts get ANLAN_DEMO_PASSWORD,
or a random password that is printed.`;

export async function seedCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { ...DB_OPTIONS, demo: { type: 'boolean' }, reset: { type: 'boolean' } } });
  if (values.help) return console.log(SEED_HELP), 0;
  if (!values.demo) throw new UsageError('say what to seed: --demo');
  const password = process.env.ANLAN_DEMO_PASSWORD || generatePassword();
  return withDatabase(values['data-dir'], async (db) => {
    const result = await seedDemo({ db, clock: systemClock }, { password, reset: values.reset });
    if (!result.seeded) {
      console.log('demo data already present (use --reset to recreate it)');
      return 0;
    }
    console.log(`demo data created: ${result.accounts} accounts`);
    if (!process.env.ANLAN_DEMO_PASSWORD) console.log(`demo account password: ${password}`);
    return 0;
  });
}

export const USER_HELP = `anlan user add --username NAME --role ROLE --region CODE [--display-name TEXT] [--password PW]
anlan user passwd NAME [--password PW]
anlan user list

Roles: ${ROLES.join(', ')}. Without --password a random password is generated and printed once.`;

export async function userCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      ...DB_OPTIONS,
      username: { type: 'string' },
      password: { type: 'string' },
      'display-name': { type: 'string' },
      role: { type: 'string' },
      region: { type: 'string' },
    },
  });
  if (values.help || !sub) return console.log(USER_HELP), sub ? 0 : 2;
  const deps = (db: Parameters<typeof listUsers>[0]['db']) => ({ db, clock: systemClock, bus: new InProcessBus() });
  switch (sub) {
    case 'add': {
      const username = need(values.username, 'username');
      const role = need(values.role, 'role');
      if (!isRole(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
      const regionCode = need(values.region, 'region');
      const password = values.password ?? generatePassword();
      return withDatabase(values['data-dir'], async (db) => {
        const user = await createUser(deps(db), who(), { username, password, role, regionCode, displayName: values['display-name'] ?? username });
        console.log(`created user ${user.username} (id ${user.id}, ${user.role}, ${user.regionCode} ${user.regionName ?? ''})`);
        if (!values.password) console.log(`password: ${password}`);
        return 0;
      });
    }
    case 'passwd': {
      const username = need(positionals[0] ?? values.username, 'username');
      const password = values.password ?? generatePassword();
      return withDatabase(values['data-dir'], async (db) => {
        const user = await findUserForLogin(db, username);
        if (!user) throw new UsageError(`no user named ${username}`);
        await resetPassword(deps(db), who(), user.id, password);
        console.log(`password of ${username} changed${values.password ? '' : `: ${password}`}`);
        return 0;
      });
    }
    case 'list':
      return withDatabase(values['data-dir'], async (db) => {
        const users = await listUsers(deps(db), NATIONAL_SCOPE);
        console.table(users.map((u) => ({ id: u.id, username: u.username, role: u.role, region: `${u.regionCode} ${u.regionName ?? ''}`, enabled: u.enabled, name: u.displayName })));
        return 0;
      });
    default:
      throw new UsageError(`unknown subcommand "user ${sub}"\n\n${USER_HELP}`);
  }
}

export const TOKEN_HELP = `anlan token create --name NAME --region CODE\n\nCreates an API token for a device or integration; the token is printed once.`;

export async function tokenCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values } = parseArgs({ args: rest, options: { ...DB_OPTIONS, name: { type: 'string' }, region: { type: 'string' } } });
  if (values.help || !sub) return console.log(TOKEN_HELP), sub ? 0 : 2;
  if (sub !== 'create') throw new UsageError(`unknown subcommand "token ${sub}"\n\n${TOKEN_HELP}`);
  const name = need(values.name, 'name');
  const regionCode = need(values.region, 'region');
  return withDatabase(values['data-dir'], async (db) => {
    const created = await createToken({ db, clock: systemClock }, who(), { name, regionCode });
    console.log(`token ${created.id} for ${regionCode} (shown once):\n${created.token}`);
    return 0;
  });
}

export const AUDIT_HELP = `anlan audit verify [--data-dir DIR]

Walks the hash chain of the audit log. Exit 0 when intact; exit 1 naming the first broken row.`;

export async function auditCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values } = parseArgs({ args: rest, options: DB_OPTIONS });
  if (values.help || !sub) return console.log(AUDIT_HELP), sub ? 0 : 2;
  if (sub !== 'verify') throw new UsageError(`unknown subcommand "audit ${sub}"\n\n${AUDIT_HELP}`);
  const bar = new ProgressBar();
  return withDatabase(values['data-dir'], async (db) => {
    const result = await verifyAuditChain(db, (done, total) => bar.update('verifying audit chain', done, total));
    if (result.ok) {
      console.log(`audit chain intact: ${result.rows} rows`);
      return 0;
    }
    console.error(`audit chain BROKEN at row id ${result.brokenId}: ${result.reason} (${result.rows} rows before it are intact)`);
    return 1;
  });
}

