/**
 * The printable pass: the QR code as PNG, or as SVG with the visitor's name, organisation and
 * window under it. Rendered from the pass service's printable record; the service only signs.
 */
import QRCode from 'qrcode';
import type { PrintablePass } from '../../services/pass-service.js';
import { wib } from './wib.js';

export async function renderPass(p: PrintablePass, format: 'png' | 'svg'): Promise<Buffer | string> {
  const opts = { errorCorrectionLevel: 'M' as const, margin: 4 };
  if (format === 'png') return QRCode.toBuffer(p.token, { ...opts, type: 'png', scale: 8 });
  return passSvg(await QRCode.toString(p.token, { ...opts, type: 'svg' }), p);
}

const xml = (s: string) =>
  s.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );

function passSvg(qrSvg: string, { pass, holder }: PrintablePass): string {
  const m = /viewBox="0 0 (\d+) (\d+)"/.exec(qrSvg);
  const n = Number(m?.[1] ?? 0);
  const inner = qrSvg.replace(/^<svg[^>]*>/, '').replace(/<\/svg>\s*$/, '');
  const size = 320;
  const lines = [
    { text: holder?.name ?? '', size: 18, weight: 'bold' },
    { text: holder?.organisation ?? '', size: 13, weight: 'normal' },
    { text: `${wib(pass.notBefore)} – ${wib(pass.expiresAt)}`, size: 12, weight: 'normal' },
    { text: `${pass.visitId} · ${pass.id}`, size: 10, weight: 'normal' },
  ];
  const captions = lines
    .map(
      (l, i) =>
        `<text x="${size / 2}" y="${size + 26 + i * 22}" font-family="sans-serif" font-size="${l.size}" font-weight="${l.weight}" text-anchor="middle">${xml(l.text)}</text>`,
    )
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size + 110}" viewBox="0 0 ${size} ${size + 110}">` +
    `<title>Pas ruang server ${xml(pass.id)}</title>` +
    `<rect width="100%" height="100%" fill="#ffffff"/>` +
    `<svg x="0" y="0" width="${size}" height="${size}" viewBox="0 0 ${n} ${n}" shape-rendering="crispEdges">${inner}</svg>` +
    captions +
    `</svg>`
  );
}
