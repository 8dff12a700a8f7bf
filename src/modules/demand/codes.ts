/** The demand module's stable error codes. */
import { defineCodes } from '../../kernel/http/errors.js';

defineCodes({
  DEMAND_STATE: [409, '需求当前的状态不允许此操作', 'The demand\'s state does not allow this'],
});
