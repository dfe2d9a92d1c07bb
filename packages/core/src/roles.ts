export const ROLES = ['admin', 'commander', 'duty', 'inspector', 'enterprise', 'responder'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, { zh: string; en: string }> = {
  admin: { zh: '系统管理员', en: 'Administrator' },
  commander: { zh: '指挥长', en: 'Commander' },
  duty: { zh: '值班员', en: 'Duty officer' },
  inspector: { zh: '检查员', en: 'Inspector' },
  enterprise: { zh: '企业用户', en: 'Enterprise user' },
  responder: { zh: '基层责任人', en: 'Grassroots responder' },
};

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
