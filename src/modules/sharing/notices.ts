/** The sharing module's notices, in Chinese and English (`{name}` is a parameter). */
import type { NoticeTemplate } from '../../kernel/notify/templates.js';

export const SHARING_NOTICES: Readonly<Record<string, NoticeTemplate>> = {
  'share.application.submitted': {
    zh: '共享申请 #{id}“{resource}”待审核',
    en: 'Share application #{id} for "{resource}" awaits your review',
  },
  'share.application.bureau_review': {
    zh: '共享申请 #{id}“{resource}”待大数据局审核',
    en: 'Share application #{id} for "{resource}" awaits the bureau\'s review',
  },
  'share.application.approved': {
    zh: '共享申请 #{id}“{resource}”已批准',
    en: 'Share application #{id} for "{resource}" was approved',
  },
  'share.application.returned': {
    zh: '共享申请 #{id}“{resource}”被退回修改',
    en: 'Share application #{id} for "{resource}" was returned for changes',
  },
  'share.application.rejected': {
    zh: '共享申请 #{id}“{resource}”不予批准',
    en: 'Share application #{id} for "{resource}" was rejected',
  },
  'share.application.remind': {
    zh: '共享申请 #{id} 的审核将于 {due} 到期',
    en: 'The review of share application #{id} is due on {due}',
  },
  'share.application.overdue': {
    zh: '共享申请 #{id} 的审核已超期（应于 {due} 前）',
    en: 'The review of share application #{id} is overdue (it was due on {due})',
  },
  'share.grant.expiring': {
    zh: '共享授权 #{id} 将于 {due} 到期，如需继续使用请续期',
    en: 'Share grant #{id} expires on {due}; renew it to keep using the data',
  },
};
