import { systemClock } from '@anlan/core';
import type { Database } from '@anlan/db';
import { openConfiguredDatabase, prepareDatabase } from '@anlan/server';
import { ProgressBar, stageLabel } from './progress.ts';
import { dataDirOf, databaseUrlOf } from './options.ts';

/** Opens and prepares the configured database for a one-off command, then closes it. */
export async function withDatabase<T>(dataDirFlag: string | undefined, fn: (db: Database) => Promise<T>): Promise<T> {
  const bar = new ProgressBar();
  const progress = (stage: string, done: number, total: number) => bar.update(stageLabel(stage), done, total);
  const { db } = await openConfiguredDatabase({ dataDir: dataDirOf(dataDirFlag), databaseUrl: databaseUrlOf(), progress });
  try {
    const { generatedAdminPassword } = await prepareDatabase(db, systemClock, { adminPassword: process.env.ANLAN_ADMIN_PASSWORD, progress });
    if (generatedAdminPassword) printAdminPassword(generatedAdminPassword);
    return await fn(db);
  } finally {
    await db.close();
  }
}

export function printAdminPassword(password: string): void {
  process.stderr.write(
    `\n首次启动已创建系统管理员 (first start created the administrator)\n  用户名 username: admin\n  密码 password:  ${password}\n  此密码只显示这一次，请妥善保存 (shown only this once)\n\n`,
  );
}

export function cliActor(): { id: null; name: string; ip: null } {
  return { id: null, name: `cli:${process.env.USER ?? 'unknown'}`, ip: null };
}
