/**
 * Simulated hardware (only with hardware.driver = sim): tap a card or a QR text on a reader, open
 * or close the door, press the exit button. Otherwise every route answers sim_disabled. A card is
 * a genuine NTAG 424 DNA badge unless the tap says `genuine: false` (it then answers with its UID
 * only, as a plain card or a clone would), so taps that predate genuine cards keep working.
 */
import type { FastifyPluginAsync } from 'fastify';
import { AppError } from '../../domain/errors.js';
import { normaliseUid } from '../../domain/uid.js';
import type { DoorController } from '../../door/door-controller.js';
import { ADMINS } from '../auth.js';
import type { SimHardware } from '../deps.js';
import { simDoorBody, simTapBody } from '../schemas/door.js';

export const simRoutes: FastifyPluginAsync<{ sim: SimHardware | null; door: DoorController }> = async (
  app,
  opts,
) => {
  const { door } = opts;
  const tags = ['sim'];
  const sim = () => {
    if (!opts.sim) throw new AppError('sim_disabled');
    return opts.sim;
  };

  app.post<{ Body: { reader: string; uid?: string; qr?: string; genuine?: boolean } }>(
    '/api/sim/tap',
    { config: { access: ADMINS }, schema: { tags, body: simTapBody } },
    async (req) => {
      const reader = sim().readers.get(req.body.reader);
      if (!reader) throw new AppError('reader_not_found', { reader: req.body.reader });
      let result: unknown;
      const onTap = (r: unknown) => {
        result ??= r;
      };
      door.once('tap', onTap);
      try {
        if (req.body.uid !== undefined) {
          const uid = normaliseUid(req.body.uid);
          if (!uid)
            throw new AppError('validation_failed', { field: 'uid', rule: '4, 7 or 10 bytes of hex' });
          if (reader.health().state !== 'ok') reader.present('nfc', uid); // throws: not running
          const proof = req.body.genuine === false ? { kind: 'uid' as const } : { kind: 'ntag424' as const };
          reader.emit('credential', { kind: 'nfc', value: uid, readerId: reader.id, proof });
        } else {
          reader.present('qr', req.body.qr as string);
        }
      } finally {
        door.off('tap', onTap);
      }
      return { result, door: door.snapshot() };
    },
  );

  app.post<{ Body: { open: boolean } }>(
    '/api/sim/door',
    { config: { access: ADMINS }, schema: { tags, body: simDoorBody } },
    async (req) => {
      sim().doorContact.set(req.body.open);
      return { door: door.snapshot() };
    },
  );

  app.post('/api/sim/exit-button', { config: { access: ADMINS }, schema: { tags } }, async () => {
    sim().exitButton.pulse();
    return { door: door.snapshot() };
  });
};
