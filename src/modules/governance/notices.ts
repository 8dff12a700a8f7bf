/** The governance module's notices, in Chinese and English (`{name}` is a parameter). */
import type { NoticeTemplate } from '../../kernel/notify/templates.js';

export const GOVERNANCE_NOTICES: Readonly<Record<string, NoticeTemplate>> = {
  'governance.task.remind': {
    zh: '整改任务 #{id}（{item}）将于 {due} 到期',
    en: 'Rectification task #{id} ({item}) is due on {due}',
  },
  'governance.task.overdue': {
    zh: '整改任务 #{id}（{item}）已逾期（应于 {due} 前完成）',
    en: 'Rectification task #{id} ({item}) is overdue (it was due on {due})',
  },
};
