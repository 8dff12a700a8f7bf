/** The objection module's notices, in Chinese and English (`{name}` is a parameter). */
import type { NoticeTemplate } from '../../kernel/notify/templates.js';

export const OBJECTION_NOTICES: Readonly<Record<string, NoticeTemplate>> = {
  'objection.submitted': {
    zh: '收到数据异议：{resource}',
    en: 'An objection to "{resource}" was raised',
    body: { zh: '{name}：{text}（{due} 前受理）', en: '{name}: {text} (to be accepted by {due})' },
  },
  'objection.not_accepted': {
    zh: '数据异议不予受理',
    en: 'Objection #{id} was not accepted',
    body: {
      zh: '{text}（可在 {due} 前确认或向大数据局申诉）',
      en: '{text} (you may accept this, or appeal to the bureau, by {due})',
    },
  },
  'objection.accepted': {
    zh: '数据异议已受理并标注',
    en: 'Objection #{id} was accepted and the data flagged',
    body: { zh: '请在 {due} 前核实处理', en: 'Please check and handle it by {due}' },
  },
  'objection.fix_source': {
    zh: '请同时更正源系统：{sources}',
    en: 'Correct the source system too: {sources}',
    body: {
      zh: '异议 #{id} 已在平台更正 {fields}；该资源从源系统归集，源系统未更正时下次归集会带回原值。',
      en: 'Objection #{id} corrected {fields} on the platform. The resource is aggregated from its source system: unless the source is corrected too, the next run brings the old values back.',
    },
  },
  'objection.corrected': {
    zh: '数据异议已更正',
    en: 'The data under objection #{id} was corrected',
    body: {
      zh: '{text}（请在 {due} 前确认，或向大数据局申诉一次）',
      en: '{text} (please confirm by {due}, or appeal to the bureau once)',
    },
  },
  'objection.rejected': {
    zh: '数据异议经核实不予更正',
    en: 'Objection #{id} was checked: the data stays as it is',
    body: {
      zh: '{text}（请在 {due} 前确认，或向大数据局申诉一次）',
      en: '{text} (please confirm by {due}, or appeal to the bureau once)',
    },
  },
  'objection.contested': {
    zh: '数据异议申诉待复核',
    en: "Objection #{id} is contested and awaits the bureau's review",
    body: { zh: '{name}：{text}（{due} 前复核）', en: '{name}: {text} (to be reviewed by {due})' },
  },
  'objection.upheld': { zh: '申诉复核：维持处理结果', en: 'Review of objection #{id}: the outcome stands' },
  'objection.reopened': {
    zh: '申诉复核：重新核实处理',
    en: 'Review of objection #{id}: to be checked again',
    body: { zh: '{text}（{due} 前处理）', en: '{text} (to be handled by {due})' },
  },
  'objection.remind': { zh: '数据异议 #{id} 将于 {due} 到期', en: 'Objection #{id} is due on {due}' },
  'objection.overdue': {
    zh: '数据异议 #{id} 已超期（应于 {due} 前办结）',
    en: 'Objection #{id} is overdue (it was due on {due})',
  },
};
