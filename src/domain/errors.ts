/**
 * The one catalogue of coded errors. Every rejection the service gives — HTTP, CLI, MQTT command —
 * carries one of these codes, its HTTP status and a message in Indonesian (default) and English.
 */
export const ERRORS = {
  validation_failed: { status: 400, id: 'Data yang dikirim tidak valid', en: 'The request is not valid' },
  malformed_json: {
    status: 400,
    id: 'Isi permintaan bukan JSON yang benar',
    en: 'The request body is not valid JSON',
  },
  body_too_large: { status: 413, id: 'Isi permintaan terlalu besar', en: 'The request body is too large' },
  unsupported_media_type: { status: 415, id: 'Jenis isi tidak didukung', en: 'Unsupported content type' },
  nik_invalid: { status: 400, id: 'NIK tidak valid', en: 'The NIK (KTP number) is not valid' },
  window_invalid: {
    status: 400,
    id: 'Rentang waktu kunjungan tidak valid',
    en: 'The visit window is not valid',
  },
  unauthenticated: { status: 401, id: 'Silakan masuk terlebih dahulu', en: 'Please sign in first' },
  invalid_credentials: {
    status: 401,
    id: 'Nama pengguna atau kata sandi salah',
    en: 'Wrong username or password',
  },
  forbidden: { status: 403, id: 'Anda tidak berwenang melakukan ini', en: 'You are not allowed to do this' },
  separation_of_duties: {
    status: 403,
    id: 'Petugas yang memverifikasi tidak boleh menyetujui permohonan yang sama',
    en: 'The person who verified a request may not decide it',
  },
  not_found: { status: 404, id: 'Data tidak ditemukan', en: 'Not found' },
  visit_not_found: { status: 404, id: 'Kunjungan tidak ditemukan', en: 'Visit not found' },
  user_not_found: { status: 404, id: 'Pengguna tidak ditemukan', en: 'User not found' },
  badge_not_found: { status: 404, id: 'Kartu tidak ditemukan', en: 'Badge not found' },
  enrolment_not_found: { status: 404, id: 'Pendaftaran kartu tidak ditemukan', en: 'Enrolment not found' },
  illegal_step: {
    status: 409,
    id: 'Langkah ini tidak boleh dilakukan pada status kunjungan saat ini',
    en: 'This step is not allowed in the visit’s current state',
  },
  precondition_failed: {
    status: 409,
    id: 'Syarat langkah ini belum terpenuhi',
    en: 'A precondition of this step is not met',
  },
  reason_required: { status: 400, id: 'Alasan wajib diisi', en: 'A reason is required' },
  badge_uid_taken: {
    status: 409,
    id: 'UID kartu sudah terdaftar',
    en: 'This badge UID is already registered',
  },
  // Enrolment of genuine NFC badges (NTAG 424 DNA, issue #10): each refusal leaves no badge bound.
  enrol_card_not_ntag424: {
    status: 409,
    id: 'Kartu bukan NTAG 424 DNA; lokasi ini hanya menerima kartu asli',
    en: 'The card is not an NTAG 424 DNA; this site accepts genuine cards only',
  },
  enrol_card_foreign: {
    status: 409,
    id: 'Kartu sudah diberi kunci oleh instansi lain',
    en: 'The card is already keyed by another site',
  },
  enrol_card_removed: {
    status: 409,
    id: 'Kartu diangkat sebelum selesai; tempelkan lagi',
    en: 'The card was taken away before it was done; present it again',
  },
  enrol_personalise_failed: {
    status: 409,
    id: 'Kartu gagal diberi kunci',
    en: 'The card could not be keyed',
  },
  enrol_wrong_badge: {
    status: 409,
    id: 'Kartu yang ditempelkan bukan kartu yang akan diberi kunci ulang',
    en: 'The card presented is not the badge being re-keyed',
  },
  badge_unavailable: {
    status: 409,
    id: 'Kartu tidak tersedia untuk diterbitkan',
    en: 'The badge is not available to issue',
  },
  escort_invalid: { status: 409, id: 'Pendamping tidak valid', en: 'The escort is not valid' },
  username_taken: { status: 409, id: 'Nama pengguna sudah dipakai', en: 'The username is already taken' },
  device_unexpected: {
    status: 409,
    id: 'Perangkat yang dibawa keluar tidak tercatat saat masuk; perlu konfirmasi admin dengan catatan',
    en: 'A device carried out was not brought in; an admin confirmation with a note is required',
  },
  visitor_inside: {
    status: 409,
    id: 'Pengunjung masih tercatat di dalam ruang server',
    en: 'The visitor is still recorded inside the server room',
  },
  setup_closed: { status: 409, id: 'Penyiapan awal sudah selesai', en: 'First-time setup is already done' },
  setup_token_invalid: { status: 401, id: 'Token penyiapan salah', en: 'Wrong setup token' },
  sim_disabled: {
    status: 404,
    id: 'Perangkat keras simulasi tidak aktif',
    en: 'Simulated hardware is not enabled',
  },
  pass_not_found: { status: 404, id: 'Pas QR tidak ditemukan', en: 'QR pass not found' },
  pass_revoked: { status: 409, id: 'Pas QR sudah dicabut', en: 'The QR pass has been revoked' },
  reader_not_found: { status: 404, id: 'Pembaca kartu tidak ditemukan', en: 'Reader not found' },
  journal_unavailable: {
    status: 503,
    id: 'Jurnal tidak dapat ditulis; perubahan ditolak',
    en: 'The journal cannot be written; the change was refused',
  },
  // The journal and its readers (store/journal*.ts, mqtt/publisher.ts, verify-journal); a failed
  // append or sync is journal_unavailable above (JournalWriteError).
  journal_not_found: {
    status: 404,
    id: 'Tidak ada jurnal di direktori ini (juga tidak di subdirektori journal/)',
    en: 'No journal in this directory (nor in its journal/ subdirectory)',
  },
  journal_broken: {
    status: 500,
    id: 'Rantai hash jurnal rusak',
    en: 'The journal’s hash chain is broken',
  },
  event_unpublishable: {
    status: 422,
    id: 'Peristiwa jurnal tidak dapat dikirim sebagai pesan MQTT',
    en: 'The journal event cannot be published as an MQTT message',
  },
  // (end of the journal's codes)
  store_unavailable: {
    status: 503,
    id: 'Penyimpanan tidak dapat ditulis',
    en: 'The state store cannot be written',
  },
  // A data file the service will not start on (store/state-file-error.ts): damaged, truncated or of
  // an unknown version. The service stops rather than start empty over good data.
  state_file_corrupt: {
    status: 500,
    id: 'Berkas data rusak atau tidak dikenal; layanan tidak dijalankan agar data tidak tertimpa',
    en: 'A data file is damaged or not recognised; the service did not start, so nothing was overwritten',
  },
  // Configuration and MQTT setup (src/config, src/mqtt): faults of the installation, not of a request.
  config_invalid: { status: 500, id: 'Konfigurasi tidak valid', en: 'The configuration is not valid' },
  mqtt_config_invalid: {
    status: 500,
    id: 'Konfigurasi MQTT tidak dapat dijalankan',
    en: 'The MQTT configuration cannot be started',
  },
  mqtt_topic_invalid: {
    status: 500,
    id: 'Topik MQTT tidak boleh dipakai untuk mengirim pesan',
    en: 'The MQTT topic cannot be published to',
  },
  rate_limited: {
    status: 429,
    id: 'Terlalu banyak percobaan; coba lagi nanti',
    en: 'Too many attempts; try again later',
  },
  fire_alarm_active: {
    status: 409,
    id: 'Alarm kebakaran aktif: pintu tetap terbuka sampai alarm padam',
    en: 'The fire alarm is active: the door stays released until it clears',
  },
  door_in_lockdown: {
    status: 409,
    id: 'Pintu dalam mode lockdown; hanya superadmin yang dapat membukanya',
    en: 'The door is in lockdown; only a superadmin may open it',
  },
  // Door rules (src/domain/door-modes.ts) and MQTT commands (src/mqtt/commands.ts).
  mode_via_normal: {
    status: 409,
    id: 'Pindah antara lockdown dan pelepasan darurat harus melalui mode normal',
    en: 'Lockdown and emergency release change only through normal mode',
  },
  not_in_mode: {
    status: 409,
    id: 'Pintu tidak sedang dalam mode yang diminta untuk dimatikan',
    en: 'The door is not in the mode asked to be turned off',
  },
  commands_disabled: {
    status: 403,
    id: 'Perintah dimatikan dalam konfigurasi',
    en: 'Commands are disabled in the configuration',
  },
  command_not_allowed: {
    status: 403,
    id: 'Perintah ini tidak diizinkan dalam konfigurasi',
    en: 'This command is not allowed in the configuration',
  },
  unknown_command: { status: 404, id: 'Perintah tidak dikenal', en: 'Unknown command' },
  malformed_request: {
    status: 400,
    id: 'Isi permintaan perintah tidak valid',
    en: 'The command request is not valid',
  },
  // The procedure's exceptions, the intake and the roll call (issue #8).
  ktp_tray_required: {
    status: 400,
    id: 'Tempat penyimpanan KTP (baki/laci) wajib diisi saat KTP diterima',
    en: 'Where the KTP is kept (tray or drawer) is required when it is received',
  },
  ktp_not_held: {
    status: 409,
    id: 'Tidak ada KTP kunjungan ini yang masih disimpan',
    en: 'No KTP of this visit is still held',
  },
  ktp_return_too_early: {
    status: 409,
    id: 'KTP dikembalikan saat check-out; sebelum itu kunjungan masih berjalan',
    en: 'The KTP is handed back at check-out; until then the visit is still open',
  },
  badge_loss_needs_superadmin: {
    status: 403,
    id: 'Check-out tanpa kartu kembali hanya dapat dikonfirmasi oleh Kepala Seksi (superadmin)',
    en: 'A check-out without the badge returned needs a superadmin’s confirmation',
  },
  device_left_inside: {
    status: 409,
    id: 'Perangkat yang dibawa masuk tidak dibawa keluar; perlu konfirmasi dengan catatan',
    en: 'A device brought in was not carried out; a confirmation with a note is required',
  },
  intake_disabled: {
    status: 404,
    id: 'Penerimaan permohonan dari helpdesk tidak aktif',
    en: 'The helpdesk intake is not enabled',
  },
  intake_signature_invalid: {
    status: 401,
    id: 'Tanda tangan permohonan helpdesk tidak valid',
    en: 'The helpdesk request signature is not valid',
  },
  intake_stale: {
    status: 401,
    id: 'Waktu permohonan helpdesk terlalu jauh dari jam server',
    en: 'The helpdesk request timestamp is too far from the server clock',
  },
  intake_conflict: {
    status: 409,
    id: 'Nomor tiket sudah dipakai permohonan lain dengan isi berbeda',
    en: 'The ticket reference is already used by a different request',
  },
  roll_call_not_found: { status: 404, id: 'Apel darurat tidak ditemukan', en: 'Roll call not found' },
  roll_call_open: {
    status: 409,
    id: 'Apel darurat sudah berjalan',
    en: 'A roll call is already open',
  },
  roll_call_closed: { status: 409, id: 'Apel darurat sudah ditutup', en: 'The roll call is closed' },
  // (end of issue #8's codes)
  internal_error: { status: 500, id: 'Perintah gagal dijalankan', en: 'The command failed' },
  // Signed MQTT commands (src/mqtt/command-auth.ts): who asked, and whether the request is fresh.
  command_unsigned: {
    status: 401,
    id: 'Perintah tidak ditandatangani operator',
    en: 'The command is not signed by an operator',
  },
  command_unknown_operator: {
    status: 401,
    id: 'Operator tidak dikenal',
    en: 'Unknown operator',
  },
  command_bad_signature: {
    status: 401,
    id: 'Tanda tangan perintah salah',
    en: 'The command signature is wrong',
  },
  command_stale: {
    status: 401,
    id: 'Waktu perintah terlalu jauh dari jam pintu',
    en: 'The command timestamp is too far from the door clock',
  },
  command_replayed: {
    status: 409,
    id: 'Perintah ini sudah pernah diterima (nonce atau transaksi berulang)',
    en: 'This command was already received (nonce or transaction seen before)',
  },
  // (end of the signed-command codes)
  // The console and the HTTP app's request checks (src/http/origin.ts, src/http/console/csrf.ts).
  origin_refused: {
    status: 403,
    id: 'Permintaan dari situs lain ditolak',
    en: 'A request from another site was refused',
  },
  csrf_invalid: {
    status: 403,
    id: 'Formulir kedaluwarsa atau tidak sah; muat ulang halaman lalu coba lagi',
    en: 'The form has expired or is not valid; reload the page and try again',
  },
  internal: { status: 500, id: 'Terjadi kesalahan internal', en: 'Internal error' },
} as const satisfies Record<string, { status: number; id: string; en: string }>;

export type ErrorCode = keyof typeof ERRORS;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, details?: Record<string, unknown>, message?: string) {
    super(message ?? ERRORS[code].en);
    this.name = 'AppError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.details = details;
  }
}

export type Lang = 'id' | 'en';

export function errorBody(err: AppError, lang: Lang) {
  const entry = ERRORS[err.code];
  return {
    error: {
      code: err.code,
      message: lang === 'en' ? entry.en : entry.id,
      ...(err.details ? { details: err.details } : {}),
    },
  };
}
