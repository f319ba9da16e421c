-- PostgreSQL twin of ../0003_quality_figure_counts.sql (the same statements).
-- Each quality figure is averaged over the samples that carried it: a browser has no RTT before
-- its first RTCP report, and counting that as 0 ms would flatter the call. Rows written before
-- this migration counted every sample for every figure, so their counts start at `samples`.
ALTER TABLE call_quality ADD COLUMN rtt_n INTEGER NOT NULL DEFAULT 0;
ALTER TABLE call_quality ADD COLUMN jitter_n INTEGER NOT NULL DEFAULT 0;
ALTER TABLE call_quality ADD COLUMN loss_n INTEGER NOT NULL DEFAULT 0;
ALTER TABLE call_quality ADD COLUMN audio_in_n INTEGER NOT NULL DEFAULT 0;
ALTER TABLE call_quality ADD COLUMN audio_out_n INTEGER NOT NULL DEFAULT 0;
ALTER TABLE call_quality ADD COLUMN video_in_n INTEGER NOT NULL DEFAULT 0;
ALTER TABLE call_quality ADD COLUMN video_out_n INTEGER NOT NULL DEFAULT 0;
UPDATE call_quality SET rtt_n = samples, jitter_n = samples, loss_n = samples,
  audio_in_n = samples, audio_out_n = samples, video_in_n = samples, video_out_n = samples;
