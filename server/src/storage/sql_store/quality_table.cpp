#include "storage/sql_store/quality_table.hpp"

#include "storage/store_common.hpp"

namespace sb::storage {

void QualityTable::add_sample(const std::string& call_id, const std::string& side,
                              const QualitySample& s) {
  // A figure the sample lacks (NULL) adds nothing to its sum, maximum or count. A reconnect:
  // the side was connected and now reports it lost the connection.
  db_.run(
      "INSERT INTO call_quality (call_id, side, samples, rtt_sum, rtt_max, rtt_n, jitter_sum, "
      "jitter_max, jitter_n, loss_sum, loss_max, loss_n, audio_in_sum, audio_in_n, "
      "audio_out_sum, audio_out_n, video_in_sum, video_in_n, video_out_sum, video_out_n, "
      "candidate_type, ice_state, reconnects) VALUES (?1, ?2, 1, "
      "COALESCE(?3, 0), COALESCE(?3, 0), CAST(?3 IS NOT NULL AS INTEGER), "
      "COALESCE(?4, 0), COALESCE(?4, 0), CAST(?4 IS NOT NULL AS INTEGER), "
      "COALESCE(?5, 0), COALESCE(?5, 0), CAST(?5 IS NOT NULL AS INTEGER), "
      "COALESCE(?6, 0), CAST(?6 IS NOT NULL AS INTEGER), "
      "COALESCE(?7, 0), CAST(?7 IS NOT NULL AS INTEGER), "
      "COALESCE(?8, 0), CAST(?8 IS NOT NULL AS INTEGER), "
      "COALESCE(?9, 0), CAST(?9 IS NOT NULL AS INTEGER), ?10, ?11, 0) "
      "ON CONFLICT (call_id, side) DO UPDATE SET samples = call_quality.samples + 1, "
      "rtt_sum = call_quality.rtt_sum + COALESCE(?3, 0), "
      "rtt_max = GREATEST(call_quality.rtt_max, COALESCE(?3, 0)), "
      "rtt_n = call_quality.rtt_n + CAST(?3 IS NOT NULL AS INTEGER), "
      "jitter_sum = call_quality.jitter_sum + COALESCE(?4, 0), "
      "jitter_max = GREATEST(call_quality.jitter_max, COALESCE(?4, 0)), "
      "jitter_n = call_quality.jitter_n + CAST(?4 IS NOT NULL AS INTEGER), "
      "loss_sum = call_quality.loss_sum + COALESCE(?5, 0), "
      "loss_max = GREATEST(call_quality.loss_max, COALESCE(?5, 0)), "
      "loss_n = call_quality.loss_n + CAST(?5 IS NOT NULL AS INTEGER), "
      "audio_in_sum = call_quality.audio_in_sum + COALESCE(?6, 0), "
      "audio_in_n = call_quality.audio_in_n + CAST(?6 IS NOT NULL AS INTEGER), "
      "audio_out_sum = call_quality.audio_out_sum + COALESCE(?7, 0), "
      "audio_out_n = call_quality.audio_out_n + CAST(?7 IS NOT NULL AS INTEGER), "
      "video_in_sum = call_quality.video_in_sum + COALESCE(?8, 0), "
      "video_in_n = call_quality.video_in_n + CAST(?8 IS NOT NULL AS INTEGER), "
      "video_out_sum = call_quality.video_out_sum + COALESCE(?9, 0), "
      "video_out_n = call_quality.video_out_n + CAST(?9 IS NOT NULL AS INTEGER), "
      "candidate_type = COALESCE(?10, call_quality.candidate_type), "
      "reconnects = call_quality.reconnects + CASE WHEN call_quality.ice_state IN "
      "('connected', 'completed') AND ?11 IN ('disconnected', 'failed') THEN 1 ELSE 0 END, "
      "ice_state = COALESCE(?11, call_quality.ice_state)",
      {call_id, side, s.rtt_ms, s.jitter_ms, s.packet_loss_pct, s.audio_in_kbps, s.audio_out_kbps,
       s.video_in_kbps, s.video_out_kbps, s.candidate_type, s.ice_state});
}

CallQuality QualityTable::of_call(const std::string& call_id) {
  auto rows = db_.query(
      "SELECT side, samples, rtt_sum, rtt_max, rtt_n, jitter_sum, jitter_max, jitter_n, "
      "loss_sum, loss_max, loss_n, audio_in_sum, audio_in_n, audio_out_sum, audio_out_n, "
      "video_in_sum, video_in_n, video_out_sum, video_out_n, candidate_type, reconnects "
      "FROM call_quality WHERE call_id = ?",
      {call_id});
  CallQuality out;
  while (rows.next()) {
    QualitySummary s;
    s.samples = static_cast<int>(rows.int64(1));
    s.rtt_avg = quality_average(rows.real(2), rows.int64(4));
    s.rtt_max = quality_maximum(rows.real(3), rows.int64(4));
    s.jitter_avg = quality_average(rows.real(5), rows.int64(7));
    s.jitter_max = quality_maximum(rows.real(6), rows.int64(7));
    s.loss_avg = quality_average(rows.real(8), rows.int64(10));
    s.loss_max = quality_maximum(rows.real(9), rows.int64(10));
    s.audio_in_avg = quality_average(rows.real(11), rows.int64(12));
    s.audio_out_avg = quality_average(rows.real(13), rows.int64(14));
    s.video_in_avg = quality_average(rows.real(15), rows.int64(16));
    s.video_out_avg = quality_average(rows.real(17), rows.int64(18));
    s.candidate_type = rows.opt_text(19);
    s.reconnects = static_cast<int>(rows.int64(20));
    (rows.text(0) == "caller" ? out.caller : out.staff) = s;
  }
  return out;
}

}  // namespace sb::storage
