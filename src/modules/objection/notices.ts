/** The objection module's notices, in Chinese and English (`{name}` is a parameter). */
import type { NoticeTemplate } from '../../kernel/notify/templates.js';

export const OBJECTION_NOTICES: Readonly<Record<string, NoticeTemplate>> = {
  'objection.remind': { zh: '数据异议 #{id} 将于 {due} 到期', en: 'Objection #{id} is due on {due}' },
  'objection.overdue': { zh: '数据异议 #{id} 已超期（应于 {due} 前办结）', en: 'Objection #{id} is overdue (it was due on {due})' },
};
