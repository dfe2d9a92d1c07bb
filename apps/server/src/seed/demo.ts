import type { Database } from '@anlan/db';
import type { Clock, Role } from '@anlan/core';
import { deleteDemoUsers, insertUser } from '../users/store.ts';
import { hashPassword } from '../auth/password.ts';
import { appendAudit } from '../audit/service.ts';
import { SYSTEM_ACTOR } from '../caller.ts';
import { deleteSetting, readSetting, writeSetting } from '../system/settings.ts';
import type { BusEvent, EventBus } from '../events/bus.ts';
import { removeDemoNetwork, seedDemoNetwork, type DemoNetworkResult } from './demo-monitoring.ts';
import { removeDemoRisk, seedDemoRisk, type DemoRiskResult } from './demo-risk.ts';
import { removeDemoRoster, seedDemoRoster, type DemoRosterResult } from './demo-roster.ts';

/** The demo county and its prefecture: 泸定县 in 甘孜藏族自治州, Sichuan. */
export const DEMO_COUNTY = '513322';
export const DEMO_PREFECTURE = '513300';

interface DemoAccount {
  username: string;
  displayName: string;
  role: Role;
  regionCode: string;
}

// Fixed, so a reset produces the same accounts and the same audit story every time.
export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { username: 'gz-admin', displayName: '甘孜州应急管理局 系统管理员', role: 'admin', regionCode: DEMO_PREFECTURE },
  { username: 'gz-commander', displayName: '甘孜州应急管理局 指挥长 王建国', role: 'commander', regionCode: DEMO_PREFECTURE },
  { username: 'gz-duty', displayName: '甘孜州应急管理局 值班员 李晓梅', role: 'duty', regionCode: DEMO_PREFECTURE },
  { username: 'ld-admin', displayName: '泸定县应急管理局 系统管理员', role: 'admin', regionCode: DEMO_COUNTY },
  { username: 'ld-commander', displayName: '泸定县应急管理局 指挥长 杨志强', role: 'commander', regionCode: DEMO_COUNTY },
  { username: 'ld-duty', displayName: '泸定县应急管理局 值班员 张丽', role: 'duty', regionCode: DEMO_COUNTY },
  { username: 'ld-inspector', displayName: '泸定县应急管理局 检查员 陈刚', role: 'inspector', regionCode: DEMO_COUNTY },
  { username: 'ld-enterprise', displayName: '泸定县某水电站 安全管理员 刘洋', role: 'enterprise', regionCode: DEMO_COUNTY },
  { username: 'ld-responder', displayName: '泸桥镇 网格员 赵春花', role: 'responder', regionCode: '513322100' },
];

export interface DemoSeedResult {
  seeded: boolean;
  accounts: number;
  /** The demo monitoring network, when this call created it. */
  network?: DemoNetworkResult;
  /** The demo enterprise and place register (risk module), when this call created it. */
  risk?: DemoRiskResult;
  /** The demo roster of responsible persons (warning module), when this call created it. */
  roster?: DemoRosterResult;
}

/**
 * Creates the demo records (labelled 演示数据 in the UI). Idempotent: does nothing when demo data
 * exists, unless reset, which removes only what the demo created and creates it again.
 */
export async function seedDemo(
  deps: { db: Database; clock: Clock; bus?: EventBus },
  opts: { password: string; reset?: boolean; network?: boolean; roster?: boolean },
): Promise<DemoSeedResult> {
  // The monitoring network (demo-monitoring.ts) unless network: false; startAnlan leaves it to its caller.
  const withNetwork = opts.network !== false;
  // The roster of 责任人 (demo-roster.ts) goes with the network unless asked for: tests count recipients.
  const withRoster = opts.roster ?? withNetwork;
  const events: BusEvent[] = [];
  const publish = async () => {
    // Registry events as the service sends them, so a running ingest and rule engine see the change.
    for (const e of events) await deps.bus?.publish(e);
  };
  const existing = await readSetting(deps.db, 'demo_data');
  if (existing && !opts.reset) {
    // Demo data from before the network existed gets it now; a network removed by hand stays removed.
    const made = withNetwork ? await deps.db.transaction((tx) => seedDemoNetwork(tx, deps.clock)) : null;
    if (made) events.push(...made.events);
    // Likewise the enterprise register, for demo data from before the risk module.
    const risk = await deps.db.transaction((tx) => seedDemoRisk(tx, deps.clock));
    if (risk) events.push(...risk.events);
    // And the roster, for demo data from before the warning module.
    const rosterMade = withRoster ? await deps.db.transaction((tx) => seedDemoRoster(tx, deps.clock)) : null;
    await publish();
    return { seeded: false, accounts: 0, ...(made ? { network: made.result } : {}), ...(risk ? { risk: risk.result } : {}), ...(rosterMade ? { roster: rosterMade } : {}) };
  }
  const passwordHash = await hashPassword(opts.password);
  let network: DemoNetworkResult | undefined;
  let risk: DemoRiskResult | undefined;
  let roster: DemoRosterResult | undefined;
  await deps.db.transaction(async (tx) => {
    if (opts.reset) {
      events.push(...(await removeDemoNetwork(tx, deps.clock)).events);
      events.push(...(await removeDemoRisk(tx, deps.clock)).events);
      await removeDemoRoster(tx, deps.clock);
      const removed = await deleteDemoUsers(tx);
      await deleteSetting(tx, 'demo_data');
      await appendAudit(tx, deps.clock, SYSTEM_ACTOR, { action: 'demo.reset', targetType: 'demo', regionCode: DEMO_PREFECTURE, before: { users: removed } });
    }
    for (const account of DEMO_ACCOUNTS) {
      const id = await insertUser(tx, { ...account, passwordHash, isDemo: true });
      await appendAudit(tx, deps.clock, SYSTEM_ACTOR, {
        action: 'user.created',
        targetType: 'user',
        targetId: id,
        regionCode: account.regionCode,
        after: { id, username: account.username, role: account.role, regionCode: account.regionCode, demo: true },
      });
    }
    await writeSetting(tx, 'demo_data', { seededAt: deps.clock.now().toISOString(), county: DEMO_COUNTY, prefecture: DEMO_PREFECTURE });
    const made = withNetwork ? await seedDemoNetwork(tx, deps.clock) : null;
    if (made) {
      events.push(...made.events);
      network = made.result;
    }
    const register = await seedDemoRisk(tx, deps.clock);
    if (register) {
      events.push(...register.events);
      risk = register.result;
    }
    // After the network: the landslides' guardians refer to its monitoring points.
    if (withRoster) roster = (await seedDemoRoster(tx, deps.clock)) ?? undefined;
  });
  await publish();
  return { seeded: true, accounts: DEMO_ACCOUNTS.length, ...(network ? { network } : {}), ...(risk ? { risk } : {}), ...(roster ? { roster } : {}) };
}
