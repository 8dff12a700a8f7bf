/** The sharing module's notices, in Chinese and English (`{name}` is a parameter). */
import type { NoticeTemplate } from '../../kernel/notify/templates.js';

export const SHARING_NOTICES: Readonly<Record<string, NoticeTemplate>> = {
  'share.application.submitted': { zh: '共享申请 #{id}“{resource}”待审核', en: 'Share application #{id} for "{resource}" awaits your review' },
  'share.application.bureau_review': { zh: '共享申请 #{id}“{resource}”待大数据局审核', en: 'Share application #{id} for "{resource}" awaits the bureau\'s review' },
  'share.application.approved': { zh: '共享申请 #{id}“{resource}”已批准', en: 'Share application #{id} for "{resource}" was approved' },
  'share.application.returned': { zh: '共享申请 #{id}“{resource}”被退回修改', en: 'Share application #{id} for "{resource}" was returned for changes' },
  'share.application.rejected': { zh: '共享申请 #{id}“{resource}”不予批准', en: 'Share application #{id} for "{resource}" was rejected' },
};
