/** The kernel's own scheduled jobs. */
import type { Kernel } from '../kernel.js';
import type { JobDef } from './boss.js';
import { writeCheckpoint } from '../audit/checkpoint.js';
import { purgeExpired } from '../auth/sessions.js';
import { purgeNonces } from '../auth/signature.js';
import { deliverDue } from '../notify/webhooks.js';
import { sendDueEmails } from '../notify/email.js';

export function kernelJobs(k: Kernel): JobDef[] {
  return [
    {
      name: 'kernel-audit-checkpoint',
      cron: '*/5 * * * *',
      handler: async () => void (await writeCheckpoint(k.db, k.signer)),
    },
    { name: 'kernel-webhooks', cron: '* * * * *', handler: async () => void (await deliverDue(k, 200)) },
    // (does nothing unless GONGSHU_SMTP_URL is set)
    { name: 'kernel-email', cron: '* * * * *', handler: async () => void (await sendDueEmails(k)) },
    {
      name: 'kernel-auth-purge',
      cron: '*/10 * * * *',
      handler: async () => {
        await purgeNonces(k.db);
        await purgeExpired(k.db);
      },
    },
  ];
}
