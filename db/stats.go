package db

import (
	"context"
	"database/sql"
	"time"

	"github.com/helpium/helpium"
)

const statsTotalsSQL = `
SELECT
	count(*) FILTER (WHERE created_at >= ?from AND created_at < ?to) AS opened,
	count(*) FILTER (WHERE resolved_at >= ?from AND resolved_at < ?to) AS resolved,
	count(*) FILTER (WHERE status IN ('open', 'pending')) AS open_now,
	percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM first_response_at - created_at))
		FILTER (WHERE created_at >= ?from AND created_at < ?to AND first_response_at IS NOT NULL) AS median_first_response,
	percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - created_at))
		FILTER (WHERE resolved_at >= ?from AND resolved_at < ?to) AS median_resolution
FROM conversations WHERE workspace_id = ?workspace_id`

const statsDaysSQL = `
WITH days AS (
	SELECT d::date AS day FROM generate_series(
		(?from::timestamptz AT TIME ZONE ?tz)::date,
		((?to::timestamptz - interval '1 microsecond') AT TIME ZONE ?tz)::date,
		interval '1 day') AS d
), opened AS (
	SELECT (created_at AT TIME ZONE ?tz)::date AS day, count(*) AS n,
		percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM first_response_at - created_at))
			FILTER (WHERE first_response_at IS NOT NULL) AS frt
	FROM conversations WHERE workspace_id = ?workspace_id AND created_at >= ?from AND created_at < ?to GROUP BY 1
), resolved AS (
	SELECT (resolved_at AT TIME ZONE ?tz)::date AS day, count(*) AS n,
		percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM resolved_at - created_at)) AS rt
	FROM conversations WHERE workspace_id = ?workspace_id AND resolved_at >= ?from AND resolved_at < ?to GROUP BY 1
)
SELECT days.day::text AS date, coalesce(o.n, 0) AS opened, coalesce(r.n, 0) AS resolved, o.frt, r.rt
FROM days LEFT JOIN opened o USING (day) LEFT JOIN resolved r USING (day) ORDER BY days.day`

const statsCSATSQL = `
SELECT (csat_at AT TIME ZONE ?tz)::date::text AS date, csat_rating AS rating, count(*) AS n
FROM conversations WHERE workspace_id = ?workspace_id AND csat_at >= ?from AND csat_at < ?to
GROUP BY 1, 2`

// Stats computes a workspace's conversation statistics for [from, to),
// with days in timezone tz. Medians count conversations opened (first
// response) or resolved (resolution) in the period.
func (s *Store) Stats(ctx context.Context, workspaceID string, from, to time.Time, tz string) (*helpium.Stats, error) {
	args := &struct {
		WorkspaceID string    `bun:"workspace_id"`
		From        time.Time `bun:"from"`
		To          time.Time `bun:"to"`
		TZ          string    `bun:"tz"`
	}{workspaceID, from, to, tz}
	var totals struct {
		Opened, Resolved, OpenNow int
		MedianFirstResponse       sql.NullFloat64
		MedianResolution          sql.NullFloat64
	}
	if err := s.db.NewRaw(statsTotalsSQL, args).Scan(ctx, &totals.Opened, &totals.Resolved, &totals.OpenNow,
		&totals.MedianFirstResponse, &totals.MedianResolution); err != nil {
		return nil, dbErr(err, "stats")
	}
	st := &helpium.Stats{
		From: from, To: to, Opened: totals.Opened, Resolved: totals.Resolved, OpenNow: totals.OpenNow,
		MedianFirstResponseSeconds: nullFloat(totals.MedianFirstResponse),
		MedianResolutionSeconds:    nullFloat(totals.MedianResolution),
	}
	var days []struct {
		Date     string          `bun:"date"`
		Opened   int             `bun:"opened"`
		Resolved int             `bun:"resolved"`
		FRT      sql.NullFloat64 `bun:"frt"`
		RT       sql.NullFloat64 `bun:"rt"`
	}
	if err := s.db.NewRaw(statsDaysSQL, args).Scan(ctx, &days); err != nil {
		return nil, dbErr(err, "stats")
	}
	byDay := make(map[string]*helpium.DayStats, len(days))
	for _, d := range days {
		day := &helpium.DayStats{
			Date: d.Date, Opened: d.Opened, Resolved: d.Resolved,
			MedianFirstResponseSeconds: nullFloat(d.FRT), MedianResolutionSeconds: nullFloat(d.RT),
			CSAT: helpium.NewCSATSummary(),
		}
		st.Days = append(st.Days, day)
		byDay[d.Date] = day
	}
	var ratings []struct {
		Date   string `bun:"date"`
		Rating int    `bun:"rating"`
		N      int    `bun:"n"`
	}
	if err := s.db.NewRaw(statsCSATSQL, args).Scan(ctx, &ratings); err != nil {
		return nil, dbErr(err, "stats")
	}
	st.CSAT = helpium.NewCSATSummary()
	for _, r := range ratings {
		st.CSAT.Add(r.Rating, r.N)
		if day := byDay[r.Date]; day != nil {
			day.CSAT.Add(r.Rating, r.N)
		}
	}
	return st, nil
}

func nullFloat(f sql.NullFloat64) *float64 {
	if !f.Valid {
		return nil
	}
	return &f.Float64
}
