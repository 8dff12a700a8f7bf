/** The demand module's notices, in Chinese and English (`{name}` is a parameter). */
import type { NoticeTemplate } from '../../kernel/notify/templates.js';

export const DEMAND_NOTICES: Readonly<Record<string, NoticeTemplate>> = {
  'demand.submitted': {
    zh: '新的数据需求：{title}',
    en: 'New data demand: {title}',
    body: { zh: '{name}（{due} 前答复）', en: '{name} (to be answered by {due})' },
  },
  'demand.matched': {
    zh: '数据需求已匹配：{resource}',
    en: 'Your data demand was matched: {resource}',
    body: { zh: '可据此一键发起共享申请', en: 'You can apply to share it in one step from the demand' },
  },
  'demand.assigned': {
    zh: '请提供数据：{title}',
    en: 'Please provide data: {title}',
    body: {
      zh: '请编目、归集并发布资源后关联到该需求',
      en: 'Catalogue, aggregate and publish a resource, then link it to this demand',
    },
  },
  'demand.forwarded': {
    zh: '数据需求已交由{department}提供',
    en: 'Your data demand "{title}" was passed to {department} to provide',
  },
  'demand.rejected': { zh: '数据需求未予满足', en: 'Your data demand #{id} cannot be met' },
  'demand.provided': {
    zh: '所需数据已提供：{resource}',
    en: 'The data you asked for is provided: {resource}',
    body: { zh: '可据此一键发起共享申请', en: 'You can apply to share it in one step from the demand' },
  },
  'demand.remind': {
    zh: '数据需求“{title}”须于 {due} 前答复',
    en: 'The data demand "{title}" must be answered by {due}',
  },
  'demand.overdue': {
    zh: '数据需求“{title}”已超期未答复（应于 {due} 前）',
    en: 'The data demand "{title}" is overdue (it was due on {due})',
  },
};
