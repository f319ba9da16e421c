// What the lab runs inside the pages (Chromium and Firefox alike): an init script that keeps every
// RTCPeerConnection the page makes, and readers of their stats.

/** Init script: the page's peer connections, newest last, in window.__netlabPcs. */
export function trackPeerConnections() {
  const pcs = [];
  window.__netlabPcs = pcs;
  const Original = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Original {
    constructor(...args) {
      super(...args);
      pcs.push(this);
    }
  };
}

/** Runs in the page: what the newest peer connection's stats say now. */
export async function readStats() {
  const pc = window.__netlabPcs.at(-1);
  if (!pc) return null;
  const report = new Map();
  (await pc.getStats()).forEach((s) => report.set(s.id, s));
  let pair = null;
  for (const s of report.values())
    if (s.type === 'transport' && s.selectedCandidatePairId)
      pair = report.get(s.selectedCandidatePairId);
  if (!pair)
    for (const s of report.values())
      if (s.type === 'candidate-pair' && (s.selected || (s.nominated && s.state === 'succeeded')))
        pair = s;
  let bytesIn = 0;
  let bytesOut = 0;
  for (const s of report.values()) {
    if (s.type === 'inbound-rtp') bytesIn += s.bytesReceived ?? 0;
    if (s.type === 'outbound-rtp') bytesOut += s.bytesSent ?? 0;
  }
  const candidate = (id) => {
    const c = id && report.get(id);
    return c
      ? {
          type: c.candidateType,
          protocol: c.protocol,
          relayProtocol: c.relayProtocol ?? null,
          address: c.address ?? c.ip ?? null,
          port: c.port,
        }
      : null;
  };
  return {
    state: pc.connectionState,
    bytesIn,
    bytesOut,
    local: candidate(pair?.localCandidateId),
    remote: candidate(pair?.remoteCandidateId),
    rttMs: pair?.currentRoundTripTime != null ? pair.currentRoundTripTime * 1000 : null,
    turnUsers: pc
      .getConfiguration()
      .iceServers.filter((s) => s.username)
      .map((s) => s.username),
  };
}

/** Runs in the page: every peer connection's state, candidates and candidate pairs. */
export async function dumpStats() {
  const out = [];
  for (const pc of window.__netlabPcs) {
    out.push(
      `pc ${pc.connectionState} ice ${pc.iceConnectionState} gathering ${pc.iceGatheringState}`,
    );
    (await pc.getStats()).forEach((s) => {
      if (s.type === 'local-candidate' || s.type === 'remote-candidate')
        out.push(
          `  ${s.type} ${s.id} ${s.candidateType} ${s.protocol} ${s.address}:${s.port} ${s.relayProtocol ?? ''} ${s.url ?? ''}`,
        );
      if (s.type === 'candidate-pair')
        out.push(
          `  pair ${s.localCandidateId} -> ${s.remoteCandidateId} ${s.state} nominated=${s.nominated} sent=${s.bytesSent} recv=${s.bytesReceived}`,
        );
      if (s.type === 'transport')
        out.push(`  transport selected=${s.selectedCandidatePairId} ${s.iceState ?? ''}`);
    });
  }
  return out.join('\n');
}
