/** Why a connection failed, in words an officer can act on (never the remote's own text beyond its error code). */
export function explainConnectError(e: unknown): { reason: string; zh: string; en: string } {
  const err = e as { code?: string; errno?: number; message?: string };
  const code = String(err.code ?? '');
  const msg = String(err.message ?? '');
  if (
    code === '28P01' ||
    code === '28000' ||
    code === 'ER_ACCESS_DENIED_ERROR' ||
    /password authentication failed|Access denied/i.test(msg)
  ) {
    return {
      reason: 'auth',
      zh: '用户名或密码错误（数据库拒绝登录）',
      en: 'wrong user name or password (the database refused the log-in)',
    };
  }
  if (code === '3D000' || code === 'ER_BAD_DB_ERROR')
    return { reason: 'database', zh: '数据库不存在', en: 'the database does not exist' };
  if (code === '42P01' || code === 'ER_NO_SUCH_TABLE')
    return { reason: 'table', zh: '表不存在', en: 'the table does not exist' };
  if (code === '42501' || code === 'ER_TABLEACCESS_DENIED_ERROR')
    return { reason: 'privilege', zh: '该用户无权读取此表', en: 'the user may not read this table' };
  if (code === 'ECONNREFUSED')
    return {
      reason: 'refused',
      zh: '连接被拒绝：该地址的端口上没有数据库在监听',
      en: 'connection refused: nothing listens on that port',
    };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return { reason: 'host', zh: '主机名无法解析', en: 'the host name does not resolve' };
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH')
    return { reason: 'unreachable', zh: '网络不可达', en: 'the host cannot be reached' };
  if (code === 'ETIMEDOUT' || code === 'TIMEOUT' || /timeout|timed out/i.test(msg))
    return { reason: 'timeout', zh: '连接超时：对方没有应答', en: 'timed out: the other side did not answer' };
  if (code === 'OUTBOUND_REFUSED') return { reason: 'refused_target', zh: msg, en: msg };
  // Gongshu's own reading errors (an HTTP status, a page that is not JSON): their text is ours, not the remote's
  if (!code && e instanceof Error && msg) return { reason: 'other', zh: msg, en: msg };
  return {
    reason: 'other',
    zh: `连接失败（${code || '未知错误'}）`,
    en: `the connection failed (${code || 'unknown error'})`,
  };
}
