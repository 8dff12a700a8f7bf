/** The working-day calendar API. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Kernel } from '../kernel.js';
import { access } from '../http/access.js';
import { inTx } from '../http/tx.js';
import { fail } from '../http/errors.js';
import { listHolidays, loadCalendar, removeHoliday, setHoliday } from './service.js';
import { shanghaiDate } from './calendar.js';
import { calendarDayBody, calendarYear, datePath, ok, workingDaysAnswer, workingDaysQuery } from './schema.js';

export function calendarRoutes(app: FastifyInstance, k: Kernel): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/calendar/holidays',
    {
      config: { access: access.anyUser },
      schema: {
        tags: ['calendar'],
        summary: '某年的节假日与调休 / Rest and make-up days of a year',
        querystring: z.object({
          year: z.coerce
            .number()
            .int()
            .min(2000)
            .max(2100)
            .default(() => Number(shanghaiDate().slice(0, 4))),
        }),
        response: { 200: calendarYear },
      },
    },
    async (req) => ({ year: req.query.year, days: await listHolidays(k.db, req.query.year) }),
  );

  r.put(
    '/api/v1/calendar/holidays/:date',
    {
      config: { access: access.roles('admin') },
      schema: {
        tags: ['calendar'],
        summary: '添加或修改一天（休息日 off / 调休上班 work）/ Add or change a day',
        params: z.object({ date: datePath }),
        body: calendarDayBody,
        response: { 200: ok },
      },
    },
    async (req) => {
      await inTx(k.db, (tx) => setHoliday(req.ctx, tx, req.params.date, req.body.kind, req.body.note ?? null));
      return { ok: true as const };
    },
  );

  r.delete(
    '/api/v1/calendar/holidays/:date',
    {
      config: { access: access.roles('admin') },
      schema: {
        tags: ['calendar'],
        summary: '删除管理员添加的一天 / Remove an added day',
        params: z.object({ date: datePath }),
        response: { 200: ok },
      },
    },
    async (req) => {
      await inTx(k.db, (tx) => removeHoliday(req.ctx, tx, req.params.date));
      return { ok: true as const };
    },
  );

  r.get(
    '/api/v1/calendar/working-days',
    {
      config: { access: access.anyUser },
      schema: {
        tags: ['calendar'],
        summary: '工作日计算 / Working-day arithmetic',
        querystring: workingDaysQuery,
        response: { 200: workingDaysAnswer },
      },
    },
    async (req) => {
      const cal = await loadCalendar(k.db);
      const { from, add, to } = req.query;
      try {
        return {
          from,
          isWorkingDay: cal.isWorkingDay(from),
          ...(add !== undefined && { due: cal.addWorkingDays(from, add) }),
          ...(to !== undefined && { workingDaysBetween: cal.workingDaysBetween(from, to) }),
        };
      } catch {
        fail('DATE_INVALID', { field: 'from' });
      }
    },
  );
}
