/** The objection module's notices, in Chinese and English (`{name}` is a parameter). */
import type { NoticeTemplate } from '../../kernel/notify/templates.js';

export const OBJECTION_NOTICES: Readonly<Record<string, NoticeTemplate>> = {
  'objection.submitted': { zh: '收到数据异议：{resource}', en: 'An objection to "{resource}" was raised' },
  'objection.not_accepted': { zh: '数据异议不予受理', en: 'Objection #{id} was not accepted' },
  'objection.accepted': { zh: '数据异议已受理并标注', en: 'Objection #{id} was accepted and the data flagged' },
  'objection.fix_source': { zh: '请同时更正源系统：{sources}', en: 'Correct the source system too: {sources}' },
  'objection.corrected': { zh: '数据异议已更正', en: 'The data under objection #{id} was corrected' },
  'objection.rejected': { zh: '数据异议经核实不予更正', en: 'Objection #{id} was checked: the data stays as it is' },
  'objection.contested': {
    zh: '数据异议申诉待复核',
    en: "Objection #{id} is contested and awaits the bureau's review",
  },
  'objection.upheld': { zh: '申诉复核：维持处理结果', en: 'Review of objection #{id}: the outcome stands' },
  'objection.reopened': { zh: '申诉复核：重新核实处理', en: 'Review of objection #{id}: to be checked again' },
  'objection.remind': { zh: '数据异议 #{id} 将于 {due} 到期', en: 'Objection #{id} is due on {due}' },
  'objection.overdue': {
    zh: '数据异议 #{id} 已超期（应于 {due} 前办结）',
    en: 'Objection #{id} is overdue (it was due on {due})',
  },
};
