/** The KTP custody ledger over HTTP: every KTP held (by visitor name and tray, never the NIK), and a late return. */
import type { FastifyPluginAsync } from 'fastify';
import type { KtpLedger } from '../../services/ktp-ledger.js';
import { ADMINS, actorOf } from '../auth.js';
import { idParams } from '../schemas/shared.js';
import { noteBody } from '../schemas/visits.js';
import { publicVisit } from '../views/visit.js';

export const ktpRoutes: FastifyPluginAsync<{ ktp: KtpLedger }> = async (app, { ktp }) => {
  const tags = ['ktp'];
  app.get(
    '/api/ktp',
    {
      config: { access: ADMINS },
      schema: {
        tags,
        description: 'Every KTP the office still holds, oldest first: visit, visitor name, tray, since.',
      },
    },
    async () => ({ held: ktp.held() }),
  );

  app.post<{ Params: { id: string }; Body: { note?: string | null } }>(
    '/api/visits/:id/ktp-return',
    {
      config: { access: ADMINS },
      schema: {
        tags,
        description:
          'Hands back a KTP kept past check-out (or of a visit rejected, cancelled or expired): a ledger entry (ktp.returned, late).',
        params: idParams,
        body: noteBody,
      },
    },
    async (req) => ({
      visit: publicVisit(
        await ktp.returnLater(req.params.id, req.body.note, actorOf(req)),
        actorOf(req).role,
      ),
    }),
  );
};
