package figure

// Mark kinds.
const (
	MarkTimeout = "timeout" // At is when the ping was sent, Until when the client gave up
	MarkLate    = "late"
	MarkLost    = "lost"
	MarkDown    = "down" // At..Until is the interval the client was down
	MarkUp      = "up"
	MarkFailed  = "failed"
)

// Mark is something a component said about the exchange, on its lane.
type Mark struct {
	Lane  int     `json:"lane"`
	Kind  string  `json:"kind"`
	At    float64 `json:"at"`
	Until float64 `json:"until,omitempty"`
	Text  string  `json:"text"`
	Key   string  `json:"key,omitempty"`
}

// PingSeries is one ping client's pings.
type PingSeries struct {
	Client    string      `json:"client"`
	Timeout   float64     `json:"timeout_ms"`
	Points    []PingPoint `json:"points"`
	HasStats  bool        `json:"has_stats"`
	Sent      uint32      `json:"transmitted"`
	Received  uint32      `json:"received"`
	Loss      float64     `json:"loss_percent"`
	Min       float64     `json:"min_ms"`
	Avg       float64     `json:"avg_ms"`
	Max       float64     `json:"max_ms"`
	Mdev      float64     `json:"mdev_ms"`
	Statistic string      `json:"statistics,omitempty"`
}

// Ping statuses.
const (
	Replied  = "reply"
	TimedOut = "timeout"
	Late     = "late"
	Pending  = "pending"
)

// PingPoint is one ping: its reply's RTT, or a timeout, or a late reply.
type PingPoint struct {
	Seq    uint32  `json:"seq"`
	At     float64 `json:"at"`
	Status string  `json:"status"`
	RTT    float64 `json:"rtt_ms,omitempty"`
}

// HeartbeatClient is one client's heartbeats as its server heard them.
type HeartbeatClient struct {
	Client string     `json:"client"`
	Beats  []Beat     `json:"beats"`
	Lost   []LostRun  `json:"lost,omitempty"`
	Down   []Interval `json:"down,omitempty"`
}

// Beat is one heartbeat received.
type Beat struct {
	Seq   uint64  `json:"seq"`
	At    float64 `json:"at"`
	Delay float64 `json:"delay_ms"`
}

// LostRun is a run of sequence numbers the server reported lost.
type LostRun struct {
	First uint64  `json:"first"`
	Last  uint64  `json:"last"`
	At    float64 `json:"at"`
}

// Interval is a time the client was DOWN; Open: not UP again by the end.
type Interval struct {
	From float64 `json:"from"`
	To   float64 `json:"to"`
	Open bool    `json:"open,omitempty"`
}

// WebRow is one request of a web client: when it began (Start), when its
// request reached the link (Request, so Start..Request is connecting),
// its answer's first and last byte through the link, and the status.
type WebRow struct {
	Client     string  `json:"client"`
	Path       string  `json:"path"`
	Start      float64 `json:"start"`
	Request    float64 `json:"request"`
	FirstByte  float64 `json:"first_byte"`
	LastByte   float64 `json:"last_byte"`
	End        float64 `json:"end"`
	Status     uint32  `json:"status"`
	StatusLine string  `json:"status_line,omitempty"`
	Bytes      uint64  `json:"bytes"`
	Error      string  `json:"error,omitempty"`
}
