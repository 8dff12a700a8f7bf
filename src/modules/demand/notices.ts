/** The demand module's notices, in Chinese and English (`{name}` is a parameter). */
import type { NoticeTemplate } from '../../kernel/notify/templates.js';

export const DEMAND_NOTICES: Readonly<Record<string, NoticeTemplate>> = {
  'demand.submitted': { zh: '新的数据需求：{title}', en: 'New data demand: {title}' },
  'demand.matched': { zh: '数据需求已匹配：{resource}', en: 'Your data demand was matched: {resource}' },
  'demand.rejected': { zh: '数据需求未予满足', en: 'Your data demand #{id} cannot be met' },
  'demand.provided': { zh: '所需数据已提供：{resource}', en: 'The data you asked for is provided: {resource}' },
  'demand.remind': {
    zh: '数据需求“{title}”须于 {due} 前答复',
    en: 'The data demand "{title}" must be answered by {due}',
  },
  'demand.overdue': {
    zh: '数据需求“{title}”已超期未答复（应于 {due} 前）',
    en: 'The data demand "{title}" is overdue (it was due on {due})',
  },
};
