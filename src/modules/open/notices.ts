/** The open-data module's notices, in Chinese and English (`{name}` is a parameter). */
import type { NoticeTemplate } from '../../kernel/notify/templates.js';

export const OPEN_NOTICES: Readonly<Record<string, NoticeTemplate>> = {
  'open.application.remind': {
    zh: '开放申请 #{id} 将于 {due} 到期',
    en: 'Open-data application #{id} is due on {due}',
  },
  'open.application.overdue': {
    zh: '开放申请 #{id} 已超期（应于 {due} 前）',
    en: 'Open-data application #{id} is overdue (it was due on {due})',
  },
};
