import { useState } from 'react';
import { Alert, App, Button, Checkbox, Input, Modal, Select, Space, Table, Tag, Typography, Upload } from 'antd';
import { DownloadOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { z } from 'zod';
import { api, ApiError, csrfToken, withQuery } from '../../api/client';
import { importResult, pageOf, problemDto, resourceSummary, type ImportErrorDto } from '../../api/schemas';
import { useServerTable } from '../../components/table';
import { useDepartments } from '../../components/useDepartments';
import { can, useSession } from '../../auth/session';
import { fmtDateTime } from '../../i18n';
import { gradeColor, STATE_COLOR } from './labels';

type Row = z.infer<typeof resourceSummary>;
type ImportError = ImportErrorDto;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The resources a user manages (an officer's department; everything for the bureau), or the review queue. */
export default function Manage({ review = false }: { review?: boolean }) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { data: session } = useSession();
  const roles = session!.user.roles;
  const officer = can(roles, 'officer');
  const table = useServerTable('-updatedAt');
  const [q, setQ] = useState('');
  const [status, setStatus] = useState<string | undefined>();
  const [validOnly, setValidOnly] = useState(false);
  const [report, setReport] = useState<{
    created: number;
    updated: number;
    unchanged: number;
    errors: ImportError[];
  } | null>(null);
  const departments = useDepartments();
  const path = review ? '/api/v1/catalog/review-queue' : '/api/v1/catalog/resources';
  const query = review
    ? table.query
    : { ...table.query, q, ...(status === 'submitted' || status === 'returned' ? { openState: status } : { status }) };
  const list = useQuery({
    queryKey: ['catalog-manage', review, query],
    queryFn: () => api(pageOf(resourceSummary), path, { query }),
    placeholderData: keepPreviousData,
  });

  const upload = async (file: File) => {
    const res = await fetch(withQuery('/api/v1/catalog/import', { validOnly }), {
      method: 'POST',
      headers: { 'content-type': XLSX, 'x-csrf-token': csrfToken() ?? '', 'accept-language': i18n.language },
      body: file,
    });
    const json: unknown = await res.json();
    if (res.ok) {
      const done = importResult.parse(json);
      setReport({
        created: done.created.length,
        updated: done.updated.length,
        unchanged: done.unchanged.length,
        errors: done.errors,
      });
      void qc.invalidateQueries({ queryKey: ['catalog-manage'] });
      return false;
    }
    const body = problemDto.partial().safeParse(json).data ?? {};
    if (body.code === 'CATALOG_IMPORT_INVALID') {
      const errors = (body.errors ?? []).map((e) => {
        const m = /^(.*)!(\d+):(.*)$/.exec(e.field);
        return { sheet: m?.[1] ?? '', row: Number(m?.[2] ?? 0), column: m?.[3] ?? e.field, reason: e.message };
      });
      setReport({ created: 0, updated: 0, unchanged: 0, errors });
    } else {
      void message.error(body.detail ?? new ApiError({ status: res.status, code: body.code ?? 'HTTP' }).message);
    }
    return false;
  };

  return (
    <>
      <Typography.Title level={3} className="gs-page-title">
        {review ? t('catalog.review') : t('catalog.manage')}
      </Typography.Title>
      {!review && (
        <div className="gs-toolbar">
          <Input.Search
            allowClear
            placeholder={t('catalog.name')}
            style={{ width: 220 }}
            onSearch={(v) => {
              setQ(v);
              table.resetPage();
            }}
            aria-label={t('catalog.name')}
          />
          <Select
            allowClear
            placeholder={t('catalog.status')}
            style={{ width: 140 }}
            value={status}
            onChange={(v) => {
              setStatus(v);
              table.resetPage();
            }}
            options={['draft', 'submitted', 'returned', 'published', 'retired'].map((s) => ({
              value: s,
              label: t(`catalog.vstate.${s}`, { defaultValue: t(`catalog.rstatus.${s}`) }),
            }))}
          />
          {officer && (
            <Button
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => navigate('/catalog/new')}
              data-testid="resource-create"
            >
              {t('catalog.create')}
            </Button>
          )}
          {can(roles, 'admin') && (
            <Button onClick={() => navigate('/catalog/categories')}>{t('catalog.categories')}</Button>
          )}
          <Button icon={<DownloadOutlined />} href="/api/v1/catalog/template.xlsx">
            {t('catalog.template')}
          </Button>
          <Button
            icon={<DownloadOutlined />}
            href={withQuery('/api/v1/catalog/export.xlsx', {
              departmentId: officer && !can(roles, 'admin') ? session!.user.departmentId : undefined,
            })}
          >
            {t('catalog.export')}
          </Button>
          {officer && (
            <Space>
              <Upload accept=".xlsx" showUploadList={false} beforeUpload={(f) => upload(f)}>
                <Button icon={<UploadOutlined />} data-testid="catalog-import">
                  {t('catalog.import')}
                </Button>
              </Upload>
              <Checkbox checked={validOnly} onChange={(e) => setValidOnly(e.target.checked)}>
                {t('catalog.importValidOnly')}
              </Checkbox>
            </Space>
          )}
        </div>
      )}
      <Table<Row>
        rowKey="id"
        loading={list.isFetching}
        dataSource={list.data?.items}
        pagination={table.pagination(list.data?.total, (n) => t('common.total', { total: n }))}
        onChange={table.onChange}
        locale={{ emptyText: t('common.empty') }}
        columns={[
          {
            key: 'name',
            dataIndex: 'name',
            title: t('catalog.name'),
            render: (v: string, r) => <Link to={`/catalog/${r.id}`}>{v}</Link>,
          },
          {
            key: 'code',
            dataIndex: 'code',
            title: t('catalog.code'),
            sorter: true,
            sortOrder: table.sortOrder('code'),
            render: (v: string | null) => <span className="gs-mono">{v ?? '—'}</span>,
          },
          {
            key: 'departmentId',
            dataIndex: 'departmentId',
            title: t('catalog.department'),
            render: (v: string) => departments.nameOf(v),
          },
          {
            key: 'status',
            title: t('catalog.status'),
            render: (_: unknown, r) => (
              <>
                {<Tag color={STATE_COLOR[r.status]}>{t(`catalog.rstatus.${r.status}`)}</Tag>}
                {r.openState && <Tag color={STATE_COLOR[r.openState]}>{t(`catalog.vstate.${r.openState}`)}</Tag>}
              </>
            ),
          },
          {
            key: 'grade',
            dataIndex: 'grade',
            title: t('catalog.grade'),
            render: (g: number) => <Tag color={gradeColor(g)}>{g}</Tag>,
          },
          {
            key: 'updatedAt',
            dataIndex: 'updatedAt',
            title: t('catalog.updatedAt'),
            sorter: true,
            sortOrder: table.sortOrder('updatedAt'),
            render: (v: string) => fmtDateTime(v, i18n.language),
          },
        ]}
      />
      <Modal
        open={report !== null}
        title={t('catalog.import')}
        onCancel={() => setReport(null)}
        footer={
          <Button type="primary" onClick={() => setReport(null)}>
            {t('common.close')}
          </Button>
        }
        width={760}
      >
        {report && report.created + report.updated + report.unchanged > 0 && (
          <Alert
            type="success"
            showIcon
            title={t('catalog.importDone', { n: report.created, u: report.updated, s: report.unchanged })}
            style={{ marginBottom: 12 }}
            data-testid="import-done"
          />
        )}
        {report && report.errors.length > 0 && (
          <>
            <Alert
              type="error"
              showIcon
              title={t('catalog.importErrors', { n: report.errors.length })}
              style={{ marginBottom: 12 }}
            />
            <Table<ImportError>
              size="small"
              rowKey={(e) => `${e.sheet}${e.row}${e.column}${e.reason}`}
              pagination={{ pageSize: 10 }}
              dataSource={report.errors}
              data-testid="import-errors"
              columns={[
                { key: 'sheet', dataIndex: 'sheet', title: t('catalog.sheet') },
                { key: 'row', dataIndex: 'row', title: t('catalog.row') },
                { key: 'column', dataIndex: 'column', title: t('catalog.column') },
                { key: 'reason', dataIndex: 'reason', title: t('catalog.reason') },
              ]}
            />
          </>
        )}
      </Modal>
    </>
  );
}
