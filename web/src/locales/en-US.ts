import type { Messages } from './zh-CN';

const en: Messages = {
  app: { name: 'Gongshu', subtitle: 'Integrated public data platform' },
  level: { national: 'National', province: 'Province', city: 'City', county: 'County' },
  role: { admin: 'Administrator', officer: 'Data officer', consumer: 'Data consumer', auditor: 'Auditor' },
  status: { active: 'Active', disabled: 'Disabled', revoked: 'Revoked' },
  menu: { home: 'Home', departments: 'Departments', users: 'Users', credentials: 'App credentials', audit: 'Audit log', calendar: 'Working days' },
  common: {
    create: 'Create', edit: 'Edit', save: 'Save', cancel: 'Cancel', confirm: 'OK', search: 'Search', reset: 'Reset', actions: 'Actions',
    enable: 'Enable', disable: 'Disable', loading: 'Loading…', empty: 'No data', total: '{{total}} in all', close: 'Close', copy: 'Copy',
    copied: 'Copied', yes: 'Yes', no: 'No', detail: 'Detail', saved: 'Saved', all: 'All', refresh: 'Refresh',
  },
  header: { language: '中文', changePassword: 'Change password', logout: 'Log out' },
  login: {
    title: 'Log in', username: 'Username', password: 'Password', submit: 'Log in', expired: 'Your session has expired; please log in again',
    usernameRequired: 'Enter your username', passwordRequired: 'Enter your password',
  },
  password: { current: 'Current password', next: 'New password', repeat: 'New password again', mismatch: 'The two new passwords differ', changed: 'Password changed', policy: 'At least 8 characters with letters and digits' },
  home: {
    welcome: 'Welcome, {{name}}', departments: 'Departments', users: 'Users', credentials: 'App credentials', auditEntries: 'Audit entries, last 30 days',
    activity: 'Audit activity (last 30 days)', ownDepartment: 'Your department', entries: 'entries', noActivity: 'No audit entries in the last 30 days',
  },
  departments: {
    title: 'Departments', name: 'Name', shortName: 'Short name', uscc: 'Unified social credit code', region: 'Region', status: 'Status', createdAt: 'Created',
    isBureau: 'Big data bureau', create: 'New department', edit: 'Edit department', usccInvalid: 'Not a valid unified social credit code (GB 32100)', searchPlaceholder: 'Search by name or code',
    created: 'Department created', disableConfirm: 'Disable department "{{name}}"?',
  },
  users: {
    title: 'Users', username: 'Username', displayName: 'Name', department: 'Department', roles: 'Roles', status: 'Status', lastLogin: 'Last login',
    create: 'New user', edit: 'Edit user', resetPassword: 'Reset password', resetConfirm: 'Reset the password of "{{name}}"? The account is unlocked and the user must change it at next login.',
    initialPassword: 'Initial password', passwordOnce: 'Give this password to the user. It is shown only this once.', passwordOptional: 'Initial password (random when empty)',
    searchPlaceholder: 'Search by username or name', readOnly: 'Read only: users of your department', locked: 'Locked', mustChange: 'Must change password',
  },
  credentials: {
    title: 'App credentials', name: 'App name', appKey: 'App key', department: 'Department', status: 'Status', createdAt: 'Created', lastUsed: 'Last used',
    create: 'New credential', rotate: 'Rotate secret', revoke: 'Revoke', rotateConfirm: 'The old secret stops working at once. Rotate?', revokeConfirm: 'Every request of this app will be refused. Revoke?',
    secret: 'App secret', secretOnce: 'Store it safely now. The secret is shown only this once; the platform keeps it encrypted.', created: 'Credential created',
  },
  audit: {
    title: 'Audit log', seq: 'No.', time: 'Time', actor: 'Actor', department: 'Department', action: 'Action', target: 'Target', ip: 'Client IP',
    requestId: 'Request id', detail: 'Detail', hash: 'Hash', prevHash: 'Previous hash', verify: 'Verify chain', verifying: 'Verifying…',
    intact: 'Audit chain intact: {{entries}} entries, {{checkpoints}} signed checkpoints', broken: 'Audit chain broken', actorPlaceholder: 'Actor', actionPlaceholder: 'Action, e.g. user.create or user.*',
    range: 'Time range', entry: 'Audit entry #{{seq}}', export: 'Export to Excel',
  },
  calendar: {
    title: 'Working days', year: 'Year', off: 'Rest day', work: 'Make-up working day', official: 'State Council notice', admin: 'Added by an administrator', addDay: 'Add a day', date: 'Date', kind: 'Kind', note: 'Note',
    remove: 'Remove', removeConfirm: 'Remove the added day {{date}}?', hint: 'When the State Council publishes next year\'s holidays in December, an administrator adds the rest days and make-up working days here.', listed: 'Days listed this year',
    dayAdded: 'Saved {{date}}',
  },
  errors: { generic: 'The operation failed', network: 'Cannot reach the server', notFound: 'No such page', back: 'Back to home', forbidden: 'Not allowed' },
};
export default en;
