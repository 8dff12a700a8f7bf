/** The demand module's notices, in Chinese and English (`{name}` is a parameter). */
import type { NoticeTemplate } from '../../kernel/notify/templates.js';

export const DEMAND_NOTICES: Readonly<Record<string, NoticeTemplate>> = {
  'demand.remind': { zh: '数据需求“{title}”须于 {due} 前答复', en: 'The data demand "{title}" must be answered by {due}' },
  'demand.overdue': { zh: '数据需求“{title}”已超期未答复（应于 {due} 前）', en: 'The data demand "{title}" is overdue (it was due on {due})' },
};
