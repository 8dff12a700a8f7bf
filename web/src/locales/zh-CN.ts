const zh = {
  app: { name: '公数', subtitle: '一体化公共数据平台' },
  level: { national: '国家', province: '省', city: '市', county: '县' },
  role: { admin: '管理员', officer: '数据专员', consumer: '数据使用方', auditor: '审计员' },
  status: { active: '启用', disabled: '停用', revoked: '已吊销' },
  menu: { home: '首页', departments: '部门管理', users: '用户管理', credentials: '应用凭证', audit: '审计日志', calendar: '工作日历' },
  common: {
    create: '新建', edit: '编辑', save: '保存', cancel: '取消', confirm: '确定', search: '搜索', reset: '重置', actions: '操作',
    enable: '启用', disable: '停用', loading: '加载中…', empty: '暂无数据', total: '共 {{total}} 条', close: '关闭', copy: '复制',
    copied: '已复制', yes: '是', no: '否', detail: '详情', saved: '已保存', all: '全部', refresh: '刷新',
  },
  header: { language: 'English', changePassword: '修改密码', logout: '退出登录' },
  login: {
    title: '登录', username: '用户名', password: '密码', submit: '登录', expired: '登录已过期，请重新登录',
    usernameRequired: '请输入用户名', passwordRequired: '请输入密码',
  },
  password: { current: '当前密码', next: '新密码', repeat: '再次输入新密码', mismatch: '两次输入的新密码不一致', changed: '密码已修改', policy: '至少 8 位，且包含字母和数字' },
  home: {
    welcome: '欢迎，{{name}}', departments: '部门', users: '用户', credentials: '应用凭证', auditEntries: '近 30 天审计记录',
    activity: '审计活动（近 30 天）', ownDepartment: '本部门', entries: '条记录', noActivity: '近 30 天没有审计记录',
  },
  departments: {
    title: '部门管理', name: '部门名称', shortName: '简称', uscc: '统一社会信用代码', region: '行政区划', status: '状态', createdAt: '创建时间',
    isBureau: '大数据局', create: '新建部门', edit: '编辑部门', usccInvalid: '统一社会信用代码校验未通过（GB 32100）', searchPlaceholder: '按名称或信用代码搜索',
    created: '部门已创建', disableConfirm: '停用部门“{{name}}”？',
  },
  users: {
    title: '用户管理', username: '用户名', displayName: '姓名', department: '所属部门', roles: '角色', status: '状态', lastLogin: '最近登录',
    create: '新建用户', edit: '编辑用户', resetPassword: '重置密码', resetConfirm: '重置“{{name}}”的密码？账号将解锁，用户下次登录须修改密码。',
    initialPassword: '初始密码', passwordOnce: '请把密码告知用户。此密码只显示这一次。', passwordOptional: '初始密码（留空则随机生成）',
    searchPlaceholder: '按用户名或姓名搜索', readOnly: '只读：仅显示本部门用户', locked: '已锁定', mustChange: '须改密',
  },
  credentials: {
    title: '应用凭证', name: '应用名称', appKey: '应用密钥（App Key）', department: '所属部门', status: '状态', createdAt: '创建时间', lastUsed: '最近调用',
    create: '新建凭证', rotate: '轮换密钥', revoke: '吊销', rotateConfirm: '轮换后旧密钥立即失效，确定？', revokeConfirm: '吊销后该应用的所有请求将被拒绝，确定？',
    secret: '应用密钥（Secret）', secretOnce: '请立即妥善保存。密钥只显示这一次，平台只保存加密后的密文。', created: '凭证已创建',
  },
  audit: {
    title: '审计日志', seq: '序号', time: '时间', actor: '操作者', department: '部门', action: '动作', target: '对象', ip: '客户端 IP',
    requestId: '请求 ID', detail: '详情', hash: '哈希', prevHash: '前一条哈希', verify: '校验审计链', verifying: '正在校验…',
    intact: '审计链完整：{{entries}} 条记录，{{checkpoints}} 个签名检查点', broken: '审计链被破坏', actorPlaceholder: '操作者', actionPlaceholder: '动作，如 user.create 或 user.*',
    range: '时间范围', entry: '审计记录 #{{seq}}', export: '导出 Excel',
  },
  calendar: {
    title: '工作日历', year: '年份', off: '休息日', work: '调休上班', official: '国务院通知', admin: '管理员添加', addDay: '添加日期', date: '日期', kind: '类型', note: '说明',
    remove: '删除', removeConfirm: '删除管理员添加的 {{date}}？', hint: '每年 12 月国务院公布次年放假安排后，管理员在此添加次年的休息日和调休上班日。', listed: '本年列出的日期',
    dayAdded: '已保存 {{date}}',
  },
  errors: { generic: '操作失败', network: '无法连接服务器', notFound: '页面不存在', back: '返回首页', forbidden: '无权访问' },
};
export default zh;
export type Messages = typeof zh;
