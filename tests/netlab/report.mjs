// The matrix as a plain-text table: row, connected, Accept to media, the candidate pairs
// (local→remote) on each side, ICE restart or failure time, notes.
const seconds = (s) => (s == null ? '-' : `${s.toFixed(1)} s`);

export function formatTable(results) {
  const header = [
    'row',
    'result',
    'connected',
    'accept→media',
    'staff pair',
    'client pair',
    'restart/fail',
    'notes',
  ];
  const lines = results.map((r) => [
    r.row,
    r.passed ? 'pass' : 'FAIL',
    r.connected ? 'yes' : 'no',
    seconds(r.accept_to_media_s),
    r.staff_pair ?? '-',
    r.client_pair ?? '-',
    r.restart_s != null
      ? `restart ${seconds(r.restart_s)}`
      : r.fail_s != null
        ? `failed in ${seconds(r.fail_s)}`
        : '-',
    [...r.notes, r.error].filter(Boolean).join('; '),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
  const fmt = (cells) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? String(c) : String(c).padEnd(widths[i])))
      .join('  ');
  return [fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)].join('\n');
}

const percent = (x) => (x == null ? '-' : `${Math.round(x * 100)} %`);

/** The ops summary's `ice_profiles` (docs/config.md#ice-server-profiles) as a plain-text table. */
export function formatProfiles(profiles) {
  const header = [
    'profile',
    'calls',
    'connected',
    'failed',
    'ICE success',
    'connect p50',
    'TURN share',
  ];
  const lines = profiles.map((p) => [
    p.profile,
    p.accepted,
    p.connected,
    p.failed,
    percent(p.success_rate),
    p.connect_seconds.count ? seconds(p.connect_seconds.p50) : '-',
    percent(p.turn_share),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => String(l[i]).length)));
  const fmt = (cells) =>
    cells
      .map((c, i) => String(c).padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...lines.map(fmt)].join('\n');
}
