import { Badge, Button, Empty, List, Popover, Space, Typography } from 'antd';
import { BellOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useState } from 'react';
import { api } from '../api/client';
import { marked, noticePage } from '../api/schemas';
import { fmtDateTime } from '../i18n';

/** The bell: unread notices (checked every 30 s), each opening the page it is about. */
export default function Bell() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const q = useQuery({
    queryKey: ['notifications', 'bell'],
    queryFn: () => api(noticePage, '/api/v1/notifications', { query: { pageSize: 8 } }),
    refetchInterval: 30_000,
  });
  const refresh = () => void qc.invalidateQueries({ queryKey: ['notifications'] });
  const read = useMutation({
    mutationFn: (id: number) => api(marked, `/api/v1/notifications/${id}/read`, { method: 'POST' }),
    onSuccess: refresh,
  });
  const readAll = useMutation({
    mutationFn: () => api(marked, '/api/v1/notifications/read-all', { method: 'POST' }),
    onSuccess: refresh,
  });
  const items = q.data?.items ?? [];
  const content = (
    <div style={{ width: 360 }} data-testid="bell-list">
      {items.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('notify.none')} />
      ) : (
        <List
          size="small"
          dataSource={items}
          renderItem={(n) => (
            <List.Item
              style={{ cursor: 'pointer', opacity: n.read ? 0.6 : 1 }}
              onClick={() => {
                if (!n.read) read.mutate(n.id);
                setOpen(false);
                if (n.link) navigate(n.link);
              }}
            >
              <List.Item.Meta
                title={<Typography.Text strong={!n.read}>{n.title}</Typography.Text>}
                description={
                  <>
                    {n.body && <div>{n.body}</div>}
                    <Typography.Text type="secondary">{fmtDateTime(n.createdAt, i18n.language)}</Typography.Text>
                  </>
                }
              />
            </List.Item>
          )}
        />
      )}
      <Space style={{ marginTop: 8 }}>
        <Button size="small" disabled={!q.data?.unread} onClick={() => readAll.mutate()}>
          {t('notify.readAll')}
        </Button>
        <Button
          size="small"
          type="link"
          onClick={() => {
            setOpen(false);
            navigate('/notifications');
          }}
        >
          {t('notify.all')}
        </Button>
      </Space>
    </div>
  );
  return (
    <Popover
      trigger="click"
      open={open}
      onOpenChange={setOpen}
      content={content}
      title={t('notify.title')}
      placement="bottomRight"
    >
      <Button type="text" aria-label={t('notify.title')} data-testid="bell">
        <Badge count={q.data?.unread ?? 0} size="small" offset={[4, -2]}>
          <BellOutlined style={{ fontSize: 16 }} />
        </Badge>
      </Button>
    </Popover>
  );
}
