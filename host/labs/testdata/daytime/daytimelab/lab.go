// Package daytimelab registers the toy Daytime lab's roles with the host:
// one labs.Role value per role, gathering its facts (package daytime), how
// its events are told and drawn on a run's page, its reference
// implementation, and its checks and built-in suite. It is apart from package daytime so that the plugin,
// which imports daytime, does not import the host.
package daytimelab

import (
	"embed"
	"fmt"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/socklab/socklab/host/check/judge"
	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/labs"
	"github.com/socklab/socklab/host/labs/testdata/daytime"
	"github.com/socklab/socklab/host/labs/testdata/daytime/daytimepb"
	"github.com/socklab/socklab/host/link"
	"github.com/socklab/socklab/host/page/figure"
	"github.com/socklab/socklab/host/run"
	"github.com/socklab/socklab/plugins/sdk"
)

//go:embed suites/*.hcl
var suites embed.FS

// Server is the daytime server.
func Server() labs.Role {
	r := daytime.Server()
	r.Describe = func(body proto.Message) string {
		switch b := body.(type) {
		case *daytimepb.DaytimeAnswer:
			return fmt.Sprintf("told %s it is %s", b.Peer, b.Daytime)
		case *daytimepb.DaytimeServerSummary:
			return fmt.Sprintf("answered %d", b.Answered)
		}
		return ""
	}
	return labs.Role{
		Role:      r,
		Reference: func(p *sdk.Plugins) { p.Roles = append(p.Roles, daytime.ServerPlugin()) },
	}
}

// Client is the daytime client, graded by its "reply" check.
func Client() labs.Role {
	r := daytime.Client()
	r.Describe = func(body proto.Message) string {
		if b, ok := body.(*daytimepb.DaytimeReply); ok {
			return fmt.Sprintf("the time is %s (%s)", b.Daytime, b.Rtt.AsDuration())
		}
		return ""
	}
	return labs.Role{
		Role:      r,
		Reference: func(p *sdk.Plugins) { p.Roles = append(p.Roles, daytime.ClientPlugin()) },
		Figure:    func(c *lab.Component) figure.Figure { return clientFigure{name: c.Name} },
		Grader: func() judge.Grader {
			return judge.Grader{
				Suite: judge.BuiltinSuite(suites, r),
				Checks: []*judge.Check{{
					Role: r.Name, Name: "reply", Doc: "the client reports the answer its link delivered",
					Judge: reply,
				}},
			}
		},
	}
}

// clientFigure puts the client's round trip on its page's RTT chart.
type clientFigure struct{ name string }

func (f clientFigure) Add(b *figure.Builder, ev run.Event) {
	if r, ok := ev.Body.(*daytimepb.DaytimeReply); ok {
		s := b.Ping(f.name)
		s.Points = append(s.Points, figure.PingPoint{Seq: uint32(len(s.Points) + 1), At: b.Ms(ev.Time),
			Status: figure.Replied, RTT: figure.Millis(r.Rtt.AsDuration())})
	}
}

// reply compares the first answer the client's link delivered with the
// daytime the client reported.
func reply(o *judge.Observed, _ judge.Params) ([]string, error) {
	var answers []*link.Event
	for _, ev := range o.LinkEvents(o.Under, link.ToClient) {
		if ev.Fate == link.Delivered {
			answers = append(answers, ev)
		}
	}
	if len(answers) == 0 {
		return []string{judge.NothingToJudge("the link delivered no answer to the client")}, nil
	}
	want := strings.TrimSpace(string(answers[0].Payload))
	replies := judge.Bodies[*daytimepb.DaytimeReply](o, o.Under, "reply")
	switch {
	case len(replies) == 0:
		return []string{"the client reported no reply; its link delivered " + judge.Quote(answers[0].Payload)}, nil
	case replies[0].Daytime != want:
		return []string{fmt.Sprintf("the client reported %q; its link delivered %s", replies[0].Daytime, judge.Quote(answers[0].Payload))}, nil
	}
	return nil, nil
}
