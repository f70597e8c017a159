package page

import (
	"fmt"
	"html/template"
	"math"
	"sort"
	"strconv"
	"strings"
)

// The figures' geometry is computed here, in pixels, so the template only
// places what it is given.

// Limits that keep the page of a long run a few MB and quick to render.
const (
	// DefaultMaxRows is how many rows the sequence diagram draws at most;
	// a longer run keeps its first and last rows and those around anything
	// notable.
	DefaultMaxRows = 400
	headRows       = 60
	tailRows       = 20
	nearRows       = 2
	maxPoints      = 2000 // chart points drawn one by one; more are aggregated
	buckets        = 800  // aggregated chart's columns
	// maxTableRows bounds a figure's table (its text alternative).
	maxTableRows = 20000
)

// seqView is the sequence diagram, ready to draw.
type seqView struct {
	Width, Height int
	Lanes         []laneView
	LinkZones     []zoneView
	Rows          []rowView
	Arrows        []arrowView
	Boxes         []boxView
	Desc          string
	Omitted       int
	// TableRows are the rows of the table of every packet, written here
	// rather than by the template: a long run has tens of thousands.
	TableRows    template.HTML
	TableLen     int
	TableOmitted int
}

type laneView struct {
	X       int
	Name    string
	Kind    string
	TextY   int
	Y1, Y2  int
	IsLink  bool
	Caption string
}

type zoneView struct{ X, Y, W, H int }

// rowView is a row's time on the left, or a gap's note.
type rowView struct {
	Y    int
	Time string
	Gap  string
}

type arrowView struct {
	X1, Y1, X2, Y2 int
	Class          string
	Label          string
	LX, LY         int
	Anchor         string
	Title          string
	Lost           bool
	Highlight      bool
}

type boxView struct {
	X, Y, W, H int
	Class      string
	Label      string
	LX, LY     int
	Title      string
}

// rows writes table rows: one per row of cells, the first cell of each
// a number, with class "lost" where lost says so. Cells are escaped.
func rows(n int, lost func(i int) bool, cells func(i int) []string, numeric ...bool) template.HTML {
	var b strings.Builder
	for i := range n {
		if lost(i) {
			b.WriteString(`<tr class="lost">`)
		} else {
			b.WriteString("<tr>")
		}
		for j, c := range cells(i) {
			if j < len(numeric) && numeric[j] {
				b.WriteString(`<td class="num">`)
			} else {
				b.WriteString("<td>")
			}
			template.HTMLEscape(&b, []byte(c))
			b.WriteString("</td>")
		}
		b.WriteString("</tr>\n")
	}
	return template.HTML(b.String())
}

// item is a row of the diagram: a packet, or a mark.
type item struct {
	at     float64
	packet *Packet
	mark   *Mark
	note   bool
}

const (
	laneGap   = 150
	leftWidth = 96
	topHeight = 48
	rowHeight = 20
)

func laneX(i int) int { return leftWidth + i*laneGap + laneGap/2 }

func (t *Trace) sequence() *seqView {
	highlight := map[string]bool{}
	for _, k := range t.Highlight {
		highlight[k] = true
	}
	late := map[string]float64{} // key -> when the client gave up
	for _, m := range t.Marks {
		if m.Kind == MarkTimeout {
			late[m.Key] = m.Until
		}
	}
	var items []item
	for i := range t.Packets {
		p := &t.Packets[i]
		items = append(items, item{at: p.At, packet: p, note: p.Lost || p.Odd || highlight[p.Key]})
	}
	for i := range t.Marks {
		m := &t.Marks[i]
		at := m.At
		if m.Kind == MarkTimeout {
			at = m.Until
		}
		items = append(items, item{at: at, mark: m, note: true})
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].at < items[j].at })

	maxRows := t.MaxRows
	if maxRows <= 0 {
		maxRows = DefaultMaxRows
	}
	keep := make([]bool, len(items))
	if len(items) <= maxRows {
		for i := range keep {
			keep[i] = true
		}
	} else {
		kept := 0
		set := func(i int) {
			if i >= 0 && i < len(items) && !keep[i] {
				keep[i] = true
				kept++
			}
		}
		for i := 0; i < headRows && i < len(items); i++ {
			set(i)
		}
		for i := max(0, len(items)-tailRows); i < len(items); i++ {
			set(i)
		}
		for i, it := range items {
			if it.note && kept < maxRows {
				for j := i - nearRows; j <= i+nearRows; j++ {
					set(j)
				}
			}
		}
	}

	v := &seqView{}
	rowOf := make([]float64, len(items))
	row := 0
	for i := 0; i < len(items); {
		if keep[i] {
			rowOf[i] = float64(row)
			v.Rows = append(v.Rows, rowView{Y: rowY(float64(row)), Time: fmtMs(items[i].at)})
			row++
			i++
			continue
		}
		j := i
		packets, lost, marks := 0, 0, 0
		for ; j < len(items) && !keep[j]; j++ {
			rowOf[j] = float64(row)
			switch {
			case items[j].packet != nil:
				packets++
				if items[j].packet.Lost {
					lost++
				}
			default:
				marks++
			}
		}
		note := fmt.Sprintf("… %s not drawn, %s to %s", plural(packets, "packet"), fmtMs(items[i].at), fmtMs(items[j-1].at))
		if lost > 0 || marks > 0 {
			note += fmt.Sprintf(" (%d dropped, %s; see the tables)", lost, plural(marks, "other mark"))
		}
		v.Omitted += j - i
		v.Rows = append(v.Rows, rowView{Y: rowY(float64(row)), Gap: note})
		row++
		i = j
	}
	times := make([]float64, len(items))
	for i, it := range items {
		times[i] = it.at
	}
	// rowAt is the row of time at: the last row at or before it.
	rowAt := func(at float64) float64 {
		i := sort.Search(len(times), func(i int) bool { return times[i] > at }) - 1
		if i < 0 {
			return 0
		}
		return rowOf[i]
	}

	n := len(t.Lanes)
	v.Width = leftWidth + n*laneGap + 140 // room for the marks beside the last lane
	bottom := rowY(float64(row)) + rowHeight/2
	v.Height = bottom + 8
	for i, l := range t.Lanes {
		lv := laneView{X: laneX(i), Name: clip(l.Name, 22), Kind: l.Kind, TextY: 20, Y1: topHeight - 16, Y2: bottom,
			IsLink: l.Kind == LinkClientSide || l.Kind == LinkServerSide}
		if l.Kind == LinkClientSide {
			lv.Caption = "link, " + clip(l.Component, 14) + " side"
			lv.Name = ""
			v.LinkZones = append(v.LinkZones, zoneView{X: laneX(i), Y: topHeight - 16, W: laneGap, H: bottom - topHeight + 16})
		}
		if l.Kind == LinkServerSide {
			lv.Caption, lv.Name = "link, server side", ""
		}
		v.Lanes = append(v.Lanes, lv)
	}

	var lostTo, lostFrom, lateN, timeouts int
	for i, it := range items {
		if !keep[i] {
			continue
		}
		r := rowOf[i]
		if p := it.packet; p != nil {
			if p.From < 0 || p.To < 0 {
				continue
			}
			end := max(rowAt(p.Done), r+0.6)
			a := arrowView{X1: laneX(p.From), Y1: rowY(r), X2: laneX(p.To), Y2: rowY(end), Label: p.Label,
				Lost: p.Lost, Highlight: highlight[p.Key]}
			a.Class = "p-srv"
			if p.Dir != ToServer {
				a.Class = "p-cli"
			}
			if until, ok := late[p.Key]; ok && p.Dir != ToServer && p.Done > until {
				a.Class += " p-late"
				lateN++
			}
			if p.Odd {
				a.Class += " p-odd"
			}
			if p.Lost {
				a.Class += " p-lost"
				a.X2, a.Y2 = laneX(p.Drop), rowY(r+0.5)
				if p.Dir == ToServer {
					lostTo++
				} else {
					lostFrom++
				}
			}
			if a.Highlight {
				a.Class += " hl"
				a.Label = "▶ " + a.Label
			}
			a.LX, a.LY, a.Anchor = (a.X1+a.X2)/2, min(a.Y1, a.Y2)-3, "middle"
			a.Title = packetTitle(p)
			v.Arrows = append(v.Arrows, a)
			continue
		}
		m := it.mark
		x := laneX(m.Lane)
		switch m.Kind {
		case MarkTimeout:
			timeouts++
			from := rowAt(m.At)
			b := boxView{X: x - 7, Y: rowY(from), W: 14, H: max(rowY(r)-rowY(from), 6), Class: "m-timeout",
				Label: "timeout", LX: x + 10, LY: rowY(r) + 4, Title: m.Text}
			if highlight[m.Key] {
				b.Class += " hl"
				b.Label = "▶ " + m.Key + " timed out"
			}
			v.Boxes = append(v.Boxes, b)
		case MarkDown:
			until := rowAt(m.Until)
			v.Boxes = append(v.Boxes, boxView{X: x - 7, Y: rowY(r), W: 14, H: max(rowY(until)-rowY(r), 6), Class: "m-down",
				Label: m.Text, LX: x + 10, LY: rowY(r) + 4, Title: m.Text})
		default:
			v.Boxes = append(v.Boxes, boxView{X: x - 4, Y: rowY(r) - 4, W: 8, H: 8, Class: "m-" + m.Kind,
				Label: clip(m.Text, 40), LX: x + 10, LY: rowY(r) + 4, Title: m.Text})
		}
	}
	v.Desc = fmt.Sprintf("Sequence diagram: %s crossed the links; the links dropped %d on the way to the server and %d on the way back; %s, %s.",
		plural(len(t.Packets), "datagram or segment"), countLost(t, ToServer), countLost(t, ToClient),
		plural(countMarks(t, MarkTimeout), "timeout"), plural(lateN, "late reply"))
	if v.Omitted > 0 {
		v.Desc += fmt.Sprintf(" The run is long: %d rows are summarised in gap notes; the table below lists every packet.", v.Omitted)
	}
	v.TableLen = min(len(t.Packets), maxTableRows)
	v.TableOmitted = len(t.Packets) - v.TableLen
	v.TableRows = rows(v.TableLen, func(i int) bool { return t.Packets[i].Lost }, func(i int) []string {
		p := &t.Packets[i]
		return []string{fmtMs(p.Done), p.Link, p.Dir, p.Label, p.Fate}
	}, true)
	return v
}

func rowY(r float64) int { return topHeight + int(math.Round(r*rowHeight)) }

func countLost(t *Trace, dir string) int {
	n := 0
	for _, p := range t.Packets {
		if p.Lost && p.Dir == dir {
			n++
		}
	}
	return n
}

func countMarks(t *Trace, kind string) int {
	n := 0
	for _, m := range t.Marks {
		if m.Kind == kind {
			n++
		}
	}
	return n
}

func packetTitle(p *Packet) string {
	s := fmt.Sprintf("%s %s (%s flow %d #%d, %d B): reached the link at %s, %s at %s", p.Label, p.Dir, p.Proto, p.Flow, p.Seq, p.Size, fmtMs(p.At), p.Fate, fmtMs(p.Done))
	if p.Lost {
		s += ", on the side it came in"
	}
	return s
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	if strings.HasSuffix(what, "y") && !strings.HasSuffix(what, "ay") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(what, "y"))
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// fmtMs writes a time or duration in milliseconds, or seconds once long.
func fmtMs(v float64) string {
	switch a := math.Abs(v); {
	case a >= 10000:
		return fmt.Sprintf("%.2f s", v/1000)
	case a >= 100:
		return fmt.Sprintf("%.1f ms", v)
	}
	return fmt.Sprintf("%.3f ms", v)
}

// Chart is an x/y plot area with its axes.
type Chart struct {
	Width, Height          int
	Left, Right, Top, Base int
	XTicks, YTicks         []tick
	XLabel, YLabel         string
}

type tick struct {
	Pos   int
	Label string
}

func newChart(w, h int) Chart {
	return Chart{Width: w, Height: h, Left: 64, Right: w - 16, Top: 44, Base: h - 36}
}

func (c *Chart) x(v, lo, hi float64) int {
	if hi <= lo {
		return c.Left
	}
	return c.Left + int(math.Round((v-lo)/(hi-lo)*float64(c.Right-c.Left)))
}

func (c *Chart) y(v, hi float64) int {
	if hi <= 0 {
		return c.Base
	}
	return c.Base - int(math.Round(v/hi*float64(c.Base-c.Top)))
}

// niceTicks returns tick values from 0 to about hi, and the axis top.
func niceTicks(hi float64) ([]float64, float64) {
	if hi <= 0 {
		hi = 1
	}
	raw := hi / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	var ts []float64
	for v := 0.0; v <= hi+step*0.999; v += step {
		ts = append(ts, v)
	}
	return ts, ts[len(ts)-1]
}

func trimNum(v float64) string {
	s := fmt.Sprintf("%.3f", v)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}

// pingView is one client's RTT chart.
type pingView struct {
	Chart
	Client     string
	Points     []pointView
	Band, Line string // aggregated: the min..max band and the mean line
	Refs       []refView
	Desc       string
	Caption    string
	TableRows  template.HTML
	Omitted    int
	Aggregated bool
}

type pointView struct {
	X, Y  int
	Class string
	Title string
}

type refView struct {
	Y     int
	Label string
}

func newPingView(s *PingSeries, highlight map[string]bool) *pingView {
	v := &pingView{Chart: newChart(880, 280), Client: s.Client}
	hi := 0.0
	var replies, timeouts, late int
	for _, p := range s.Points {
		switch p.Status {
		case Replied:
			replies++
			hi = max(hi, p.RTT)
		case Late:
			late++
			hi = max(hi, p.RTT)
		case TimedOut:
			timeouts++
		}
	}
	if s.HasStats {
		hi = max(hi, s.Max)
	}
	ticks, top := niceTicks(hi)
	for _, tv := range ticks {
		v.YTicks = append(v.YTicks, tick{Pos: v.y(tv, top), Label: trimNum(tv)})
	}
	v.YLabel, v.XLabel = "RTT (ms)", "ping (sequence number)"
	n := len(s.Points)
	lo, hiX := 0.0, float64(max(n-1, 1))
	if n > 0 {
		for _, i := range xTickIndexes(n) {
			v.XTicks = append(v.XTicks, tick{Pos: v.x(float64(i), lo, hiX), Label: fmt.Sprint(s.Points[i].Seq)})
		}
	}
	timeoutY := v.Top - 14
	if n <= maxPoints {
		for i, p := range s.Points {
			x := v.x(float64(i), lo, hiX)
			pv := pointView{X: x, Class: "pt-" + p.Status}
			switch p.Status {
			case Replied, Late:
				pv.Y = v.y(p.RTT, top)
				pv.Title = fmt.Sprintf("ping %d: %s RTT %s", p.Seq, p.Status, fmtMs(p.RTT))
			case TimedOut:
				pv.Y = timeoutY
				pv.Title = fmt.Sprintf("ping %d: Request timed out", p.Seq)
			default:
				continue
			}
			if highlight[fmt.Sprintf("ping %d", p.Seq)] {
				pv.Class += " hl"
			}
			v.Points = append(v.Points, pv)
		}
	} else {
		v.Aggregated = true
		per := (n + buckets - 1) / buckets
		var band, lower []string
		var line []string
		for b := 0; b*per < n; b++ {
			minR, maxR, sum, got, lost := math.Inf(1), 0.0, 0.0, 0, 0
			for _, p := range s.Points[b*per : min(n, (b+1)*per)] {
				switch p.Status {
				case Replied, Late:
					minR, maxR, sum, got = min(minR, p.RTT), max(maxR, p.RTT), sum+p.RTT, got+1
				case TimedOut:
					lost++
				}
			}
			x := v.x(float64(b*per+per/2), lo, hiX)
			if got > 0 {
				band = append(band, fmt.Sprintf("%d,%d", x, v.y(maxR, top)))
				lower = append(lower, fmt.Sprintf("%d,%d", x, v.y(minR, top)))
				line = append(line, fmt.Sprintf("%d,%d", x, v.y(sum/float64(got), top)))
			}
			if lost > 0 {
				v.Points = append(v.Points, pointView{X: x, Y: timeoutY, Class: "pt-timeout",
					Title: fmt.Sprintf("pings %d to %d: %d timed out", s.Points[b*per].Seq, s.Points[min(n, (b+1)*per)-1].Seq, lost)})
			}
		}
		for i := len(lower) - 1; i >= 0; i-- {
			band = append(band, lower[i])
		}
		v.Band, v.Line = strings.Join(band, " "), strings.Join(line, " ")
	}
	if s.HasStats && s.Received > 0 {
		for _, r := range []struct {
			name string
			val  float64
		}{{"min", s.Min}, {"avg", s.Avg}, {"max", s.Max}} {
			v.Refs = append(v.Refs, refView{Y: v.y(r.val, top), Label: fmt.Sprintf("%s %s", r.name, fmtMs(r.val))})
		}
	}
	v.Desc = fmt.Sprintf("RTT of each of %s from %s: %d replies, %d timed out, %d late.", plural(n, "ping"), s.Client, replies, timeouts, late)
	if s.HasStats {
		v.Desc += " " + s.Statistic + "."
	}
	if v.Aggregated {
		v.Caption = fmt.Sprintf("%d pings, %d to a column: the band spans each column's min to max RTT, the line is its mean; crosses on top mark columns with timeouts.", n, per(n))
	}
	shown := min(n, maxTableRows)
	v.Omitted = n - shown
	v.TableRows = rows(shown, func(i int) bool { return s.Points[i].Status == TimedOut || s.Points[i].Status == Late }, func(i int) []string {
		p := &s.Points[i]
		rtt := ""
		if p.Status == Replied || p.Status == Late {
			rtt = fmtMs(p.RTT)
		}
		return []string{strconv.FormatUint(uint64(p.Seq), 10), fmtMs(p.At), p.Status, rtt}
	}, true, true, false, true)
	return v
}

func per(n int) int { return (n + buckets - 1) / buckets }

// xTickIndexes picks about ten evenly spaced indexes of n points.
func xTickIndexes(n int) []int {
	step := max(1, (n+9)/10)
	var is []int
	for i := 0; i < n; i += step {
		is = append(is, i)
	}
	if last := n - 1; is[len(is)-1] != last {
		is = append(is, last)
	}
	return is
}

// beatView is one heartbeat client's timeline.
type beatView struct {
	Chart
	Server, Client string
	Points         []pointView
	Line           string
	Lost           []pointView
	Down           []boxView
	Desc           string
	TableRows      template.HTML
	Omitted        int
}

func newBeatView(hc *HeartbeatClient, server string, end float64, highlight map[string]bool) *beatView {
	v := &beatView{Chart: newChart(880, 200), Server: server, Client: hc.Client}
	hi := 0.0
	for _, b := range hc.Beats {
		hi = max(hi, b.Delay)
	}
	ticks, top := niceTicks(hi)
	for _, tv := range ticks {
		v.YTicks = append(v.YTicks, tick{Pos: v.y(tv, top), Label: trimNum(tv)})
	}
	xt, xend := niceTicks(end)
	for _, tv := range xt {
		v.XTicks = append(v.XTicks, tick{Pos: v.x(tv, 0, xend), Label: trimNum(tv)})
	}
	v.XLabel, v.YLabel = "time since the first event (ms)", "one-way delay (ms)"
	if len(hc.Beats) <= maxPoints {
		for _, b := range hc.Beats {
			v.Points = append(v.Points, pointView{X: v.x(b.At, 0, xend), Y: v.y(b.Delay, top), Class: "pt-reply",
				Title: fmt.Sprintf("heartbeat %d at %s, one-way delay %s", b.Seq, fmtMs(b.At), fmtMs(b.Delay))})
		}
	} else {
		per := (len(hc.Beats) + buckets - 1) / buckets
		var line []string
		for i := 0; i < len(hc.Beats); i += per {
			sum, n := 0.0, 0
			for _, b := range hc.Beats[i:min(len(hc.Beats), i+per)] {
				sum, n = sum+b.Delay, n+1
			}
			line = append(line, fmt.Sprintf("%d,%d", v.x(hc.Beats[i].At, 0, xend), v.y(sum/float64(n), top)))
		}
		v.Line = strings.Join(line, " ")
	}
	lostSeqs := 0
	for _, l := range hc.Lost {
		lostSeqs += int(l.Last - l.First + 1)
		pv := pointView{X: v.x(l.At, 0, xend), Y: v.Base - 8, Class: "pt-timeout", Title: fmt.Sprintf("lost %d to %d, reported at %s", l.First, l.Last, fmtMs(l.At))}
		if l.First == l.Last {
			pv.Title = fmt.Sprintf("lost %d, reported at %s", l.First, fmtMs(l.At))
		}
		if highlight[fmt.Sprintf("heartbeat %d", l.First)] {
			pv.Class += " hl"
		}
		v.Lost = append(v.Lost, pv)
	}
	for _, d := range hc.Down {
		x1, x2 := v.x(d.From, 0, xend), v.x(d.To, 0, xend)
		v.Down = append(v.Down, boxView{X: x1, Y: v.Top, W: max(x2-x1, 2), H: v.Base - v.Top, Class: "m-down", Label: "DOWN",
			LX: x1 + 3, LY: v.Top + 12, Title: fmt.Sprintf("DOWN from %s to %s", fmtMs(d.From), fmtMs(d.To))})
	}
	v.Desc = fmt.Sprintf("Heartbeats of %s as %s heard them: %d received, %d reported lost, DOWN %d times.", hc.Client, server, len(hc.Beats), lostSeqs, len(hc.Down))
	shown := min(len(hc.Beats), maxTableRows)
	v.Omitted = len(hc.Beats) - shown
	v.TableRows = rows(shown, func(int) bool { return false }, func(i int) []string {
		b := &hc.Beats[i]
		return []string{strconv.FormatUint(b.Seq, 10), fmtMs(b.At), fmtMs(b.Delay)}
	}, true, true, true) + rows(len(hc.Lost), func(int) bool { return true }, func(i int) []string {
		l := &hc.Lost[i]
		return []string{fmt.Sprintf("%d–%d", l.First, l.Last), fmtMs(l.At), "lost"}
	}, false, true)
	return v
}

// webView is the request waterfall.
type webView struct {
	Chart
	Rows []webBar
	Desc string
}

type webBar struct {
	Y                     int
	Label                 string
	ConnectX, ConnectW    int
	WaitX, WaitW          int
	ReceiveX, ReceiveW    int
	StatusX               int
	Status, Title         string
	Failed, Highlight     bool
	Client, Path          string
	Start, First, Last    string
	StatusText, BytesText string
}

func webWaterfall(rows []WebRow, highlight map[string]bool) *webView {
	const barH = 24
	v := &webView{Chart: newChart(880, 60+len(rows)*barH)}
	v.Left = 200
	v.Right = v.Width - 150
	v.Top = 20
	v.Base = v.Top + len(rows)*barH
	end := 0.0
	for _, r := range rows {
		end = max(end, r.End, r.LastByte)
	}
	xt, xend := niceTicks(end)
	for _, tv := range xt {
		v.XTicks = append(v.XTicks, tick{Pos: v.x(tv, 0, xend), Label: trimNum(tv)})
	}
	v.XLabel = "time since the first event (ms)"
	failed := 0
	for i, r := range rows {
		b := webBar{Y: v.Top + i*barH + 4, Label: clip(r.Client+" "+r.Path, 28), Client: r.Client, Path: r.Path,
			Start: fmtMs(r.Start), First: fmtMs(r.FirstByte), Last: fmtMs(r.LastByte), BytesText: fmt.Sprint(r.Bytes)}
		x0, x1, x2, x3 := v.x(r.Start, 0, xend), v.x(r.Request, 0, xend), v.x(r.FirstByte, 0, xend), v.x(max(r.LastByte, r.FirstByte), 0, xend)
		b.ConnectX, b.ConnectW = x0, max(x1-x0, 1)
		b.WaitX, b.WaitW = x1, max(x2-x1, 1)
		b.ReceiveX, b.ReceiveW = x2, max(x3-x2, 2)
		b.StatusX = max(x3, x0) + 6
		b.Status = fmt.Sprint(r.Status)
		if r.StatusLine != "" {
			b.Status = clip(r.StatusLine, 24)
		}
		if r.Error != "" {
			b.Status, b.Failed = clip(r.Error, 24), true
			failed++
		}
		b.StatusText = b.Status
		b.Highlight = highlight["GET "+r.Path]
		b.Title = fmt.Sprintf("%s %s: started %s, request on the wire %s, first byte %s, last byte %s, %s, %d bytes of body",
			r.Client, r.Path, fmtMs(r.Start), fmtMs(r.Request), fmtMs(r.FirstByte), fmtMs(r.LastByte), b.Status, r.Bytes)
		v.Rows = append(v.Rows, b)
	}
	v.Desc = fmt.Sprintf("Request waterfall: %s, %d without a response; each bar is connecting (hatched), waiting for the first byte (light) and receiving (dark).",
		plural(len(rows), "request"), failed)
	return v
}
