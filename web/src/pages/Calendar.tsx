import { useState } from 'react';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  DatePicker,
  Form,
  Input,
  InputNumber,
  List,
  Popconfirm,
  Row,
  Select,
  Space,
  Tag,
  Typography,
} from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import dayjs, { type Dayjs } from 'dayjs';
import { api } from '../api/client';
import { calendarYear, ok } from '../api/schemas';
import { showProblem } from '../components/forms';
import { can, useSession } from '../auth/session';

const WEEK = [1, 2, 3, 4, 5, 6, 0];

/** One month as a small grid: rest days red, make-up working days blue, weekends grey. */
function Month({
  year,
  month,
  kinds,
  lang,
}: {
  year: number;
  month: number;
  kinds: Map<string, 'off' | 'work'>;
  lang: string;
}) {
  const first = dayjs(new Date(year, month, 1));
  const lead = (first.day() + 6) % 7;
  const cells: (Dayjs | null)[] = [
    ...Array.from({ length: lead }, () => null),
    ...Array.from({ length: first.daysInMonth() }, (_, i) => first.date(i + 1)),
  ];
  const weekday = new Intl.DateTimeFormat(lang, { weekday: 'narrow' });
  return (
    <Card size="small" title={new Intl.DateTimeFormat(lang, { month: 'long' }).format(first.toDate())}>
      <div
        style={{ display: 'grid', gridTemplateColumns: 'repeat(7, 1fr)', gap: 2, textAlign: 'center', fontSize: 12 }}
      >
        {WEEK.map((d) => (
          <div key={d} style={{ color: '#999' }}>
            {weekday.format(new Date(2024, 0, 7 + d))}
          </div>
        ))}
        {cells.map((c, i) => {
          if (!c) return <div key={i} />;
          const key = c.format('YYYY-MM-DD');
          const kind = kinds.get(key);
          const weekend = c.day() === 0 || c.day() === 6;
          const bg = kind === 'off' ? '#fde2e1' : kind === 'work' ? '#dbe9ff' : 'transparent';
          const color = kind === 'off' ? '#c62828' : kind === 'work' ? '#1f5fbf' : weekend ? '#aaa' : undefined;
          return (
            <div
              key={i}
              title={key}
              data-day={key}
              data-kind={kind ?? ''}
              style={{ background: bg, color, borderRadius: 4, padding: '2px 0' }}
            >
              {c.date()}
            </div>
          );
        })}
      </div>
    </Card>
  );
}

export default function Calendar() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const { data: session } = useSession();
  const isAdmin = can(session!.user.roles, 'admin');
  const [year, setYear] = useState(new Date().getFullYear());
  const [form] = Form.useForm<{ date: Dayjs; kind: 'off' | 'work'; note?: string }>();
  const cal = useQuery({
    queryKey: ['calendar', year],
    queryFn: () => api(calendarYear, '/api/v1/calendar/holidays', { query: { year } }),
  });
  const kinds = new Map((cal.data?.days ?? []).map((d) => [d.date, d.kind]));
  const refresh = () => qc.invalidateQueries({ queryKey: ['calendar'] });

  const add = useMutation({
    mutationFn: (v: { date: string; kind: 'off' | 'work'; note?: string }) =>
      api(ok, `/api/v1/calendar/holidays/${v.date}`, { method: 'PUT', body: { kind: v.kind, note: v.note || null } }),
    onSuccess: (_r, v) => {
      void message.success(t('calendar.dayAdded', { date: v.date }));
      form.resetFields();
      void refresh();
    },
    onError: (e) => showProblem(form, e, (s) => void message.error(s), ['kind', 'note']),
  });
  const remove = useMutation({
    mutationFn: (date: string) => api(ok, `/api/v1/calendar/holidays/${date}`, { method: 'DELETE' }),
    onSuccess: () => void refresh(),
    onError: (e) => showProblem(null, e, (s) => void message.error(s)),
  });

  return (
    <>
      <Typography.Title level={3} className="gs-page-title">
        {t('calendar.title')}
      </Typography.Title>
      <div className="gs-toolbar">
        <Space>
          <span>{t('calendar.year')}</span>
          <InputNumber
            min={2018}
            max={2100}
            value={year}
            onChange={(v) => v && setYear(v)}
            aria-label={t('calendar.year')}
            data-testid="calendar-year"
          />
          <Tag color="red">{t('calendar.off')}</Tag>
          <Tag color="blue">{t('calendar.work')}</Tag>
        </Space>
      </div>
      {isAdmin && (
        <Card size="small" title={t('calendar.addDay')} style={{ marginBottom: 16 }}>
          <Alert type="info" showIcon title={t('calendar.hint')} style={{ marginBottom: 12 }} />
          <Form
            form={form}
            layout="inline"
            onFinish={(v) => add.mutate({ date: v.date.format('YYYY-MM-DD'), kind: v.kind, note: v.note })}
          >
            <Form.Item name="date" label={t('calendar.date')} rules={[{ required: true }]}>
              <DatePicker />
            </Form.Item>
            <Form.Item name="kind" label={t('calendar.kind')} rules={[{ required: true }]}>
              <Select
                style={{ width: 160 }}
                options={[
                  { value: 'off', label: t('calendar.off') },
                  { value: 'work', label: t('calendar.work') },
                ]}
              />
            </Form.Item>
            <Form.Item name="note" label={t('calendar.note')}>
              <Input style={{ width: 200 }} maxLength={200} />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={add.isPending}>
              {t('common.save')}
            </Button>
          </Form>
        </Card>
      )}
      <Row gutter={[12, 12]}>
        <Col xs={24} xl={18}>
          <Row gutter={[12, 12]}>
            {Array.from({ length: 12 }, (_, m) => (
              <Col key={m} xs={24} sm={12} lg={8} xxl={6}>
                <Month year={year} month={m} kinds={kinds} lang={i18n.language} />
              </Col>
            ))}
          </Row>
        </Col>
        <Col xs={24} xl={6}>
          <Card size="small" title={t('calendar.listed')}>
            <List
              size="small"
              loading={cal.isLoading}
              locale={{ emptyText: t('common.empty') }}
              dataSource={cal.data?.days ?? []}
              renderItem={(d) => (
                <List.Item
                  actions={
                    isAdmin && d.source === 'admin'
                      ? [
                          <Popconfirm
                            key="rm"
                            title={t('calendar.removeConfirm', { date: d.date })}
                            onConfirm={() => remove.mutate(d.date)}
                            okText={t('common.confirm')}
                            cancelText={t('common.cancel')}
                          >
                            <Button size="small" type="link" danger>
                              {t('calendar.remove')}
                            </Button>
                          </Popconfirm>,
                        ]
                      : []
                  }
                >
                  <Space>
                    <span className="gs-mono">{d.date}</span>
                    <Tag color={d.kind === 'off' ? 'red' : 'blue'}>{t(`calendar.${d.kind}`)}</Tag>
                    {d.source === 'admin' && <Tag>{t('calendar.admin')}</Tag>}
                    {d.note}
                  </Space>
                </List.Item>
              )}
            />
          </Card>
        </Col>
      </Row>
    </>
  );
}
