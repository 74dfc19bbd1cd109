package console

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/atlassian-mcp/atlassian-mcp/gateway"
)

// chartHours is how many hours the calls-per-hour chart spans.
const chartHours = 24

// hourly counts calls per hour of the last chartHours hours by status.
type hourly struct {
	start, end time.Time
	b          [chartHours]struct{ ok, err, denied int }
	total      int
}

func newHourly(now time.Time) hourly {
	end := now.UTC().Truncate(time.Hour).Add(time.Hour)
	return hourly{start: end.Add(-chartHours * time.Hour), end: end}
}

// add counts e when it falls in the chart's hours.
func (h *hourly) add(e gateway.AuditEntry) {
	h.addN(e.Time, e.Status, 1)
}

// addN counts n calls of status at t when t falls in the chart's hours.
func (h *hourly) addN(t time.Time, status string, n int) {
	t = t.UTC()
	if t.Before(h.start) || !t.Before(h.end) {
		return
	}
	i := int(t.Sub(h.start) / time.Hour)
	switch status {
	case gateway.StatusOK:
		h.b[i].ok += n
	case gateway.StatusDenied:
		h.b[i].denied += n
	default:
		h.b[i].err += n
	}
	h.total += n
}

// hourlyChart renders the calls of entries in the last chartHours hours.
func hourlyChart(entries []gateway.AuditEntry, now time.Time) template.HTML {
	h := newHourly(now)
	for _, e := range entries {
		h.add(e)
	}
	return h.chart()
}

// chart renders the counts as stacked bars by status, as inline SVG (no
// script, styled by classes from the console's stylesheet). Everything
// written into it is a number or a fixed word, so it is safe HTML.
func (hr *hourly) chart() template.HTML {
	start, b, total := hr.start, hr.b, hr.total
	peak := 1
	for _, x := range b {
		peak = max(peak, x.ok+x.err+x.denied)
	}
	const w, h, left, bottom, top = 1200, 200, 36, 22, 10
	bw := float64(w-left) / chartHours
	plot := float64(h - bottom - top)
	var s strings.Builder
	fmt.Fprintf(&s, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="Calls per hour by status, last %d hours: %d calls">`, w, h, chartHours, total)
	// Axis: the peak and zero.
	fmt.Fprintf(&s, `<line class="axis" x1="%d" y1="%d" x2="%d" y2="%d"/>`, left, h-bottom, w, h-bottom)
	fmt.Fprintf(&s, `<text class="label" x="%d" y="%d" text-anchor="end">%d</text>`, left-4, top+8, peak)
	fmt.Fprintf(&s, `<text class="label" x="%d" y="%d" text-anchor="end">0</text>`, left-4, h-bottom)
	for i, x := range b {
		hour := start.Add(time.Duration(i) * time.Hour)
		xpos := float64(left) + float64(i)*bw + 1
		y := float64(h - bottom)
		fmt.Fprintf(&s, `<g><title>%s UTC: %d ok, %d error, %d denied</title>`, hour.Format("Jan 2 15:00"), x.ok, x.err, x.denied)
		for _, part := range []struct {
			n     int
			class string
		}{{x.ok, "bar-ok"}, {x.err, "bar-error"}, {x.denied, "bar-denied"}} {
			if part.n == 0 {
				continue
			}
			hh := plot * float64(part.n) / float64(peak)
			y -= hh
			fmt.Fprintf(&s, `<rect class="%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f"/>`, part.class, xpos, y, bw-2, hh)
		}
		if x.ok+x.err+x.denied == 0 {
			fmt.Fprintf(&s, `<rect class="bar-empty" x="%.1f" y="%d" width="%.1f" height="1"/>`, xpos, h-bottom-1, bw-2)
		}
		s.WriteString(`</g>`)
		if i%6 == 0 {
			fmt.Fprintf(&s, `<text class="label" x="%.1f" y="%d">%s</text>`, xpos, h-4, hour.Format("15:00"))
		}
	}
	s.WriteString(`</svg>`)
	return template.HTML(s.String())
}
