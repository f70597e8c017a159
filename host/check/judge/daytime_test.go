package judge_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/socklab/socklab/host/check"
	"github.com/socklab/socklab/host/check/judge"
	"github.com/socklab/socklab/host/check/submission"
	"github.com/socklab/socklab/host/check/suite"
	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/launch"
	"github.com/socklab/socklab/host/link"
	"github.com/socklab/socklab/host/run/testdata/daytime"
	"github.com/socklab/socklab/host/run/testdata/daytime/daytimepb"
)

// daytimeClient grades the toy Daytime client of docs/ADDING-A-ROLE.md as
// a lab's own package would: one Grader, with its check.
func daytimeClient() judge.Grader {
	return judge.Grader{Role: daytime.Client(), Checks: []*judge.Check{{
		Role: daytime.Client().Name, Name: "reply", Doc: "the client reports the answer its link delivered",
		Judge: func(o *judge.Observed, _ judge.Params) ([]string, error) {
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
		}}}}
}

// TestGradeARoleAddedFromTestdata: a role brought from outside registers
// its checks as the sheet's labs do, and its suite is read and its
// scenario run and judged by the grader unchanged.
func TestGradeARoleAddedFromTestdata(t *testing.T) {
	plugin, err := filepath.Abs("../../run/testdata/daytime/plugin")
	if err != nil {
		t.Fatal(err)
	}
	src := []byte(strings.ReplaceAll(`suite {
  role = "daytime_client"
}
scenario "answered" {
  check "reply" {
    points = 2
  }
  daytime_server "reference" {
    listen = "127.0.0.1:0"
    plugin {
      go = "PLUGIN"
    }
  }
  daytime_client "student" {
    server = daytime_server.reference.address
  }
}
`, "PLUGIN", plugin))
	if _, diags := suite.Parse("daytime.hcl", src, check.Graders()); !diags.HasErrors() {
		t.Fatal("the built-in graders know no daytime role, yet the suite was read")
	}
	gs := check.Graders().With(daytimeClient(), judge.Grader{Role: daytime.Server()})
	s, diags := suite.Parse("daytime.hcl", src, gs)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	env := check.Env{Builder: &launch.Builder{Dir: t.TempDir()}, Log: zerolog.Nop(), TempDir: t.TempDir()}
	sub := submission.Submission{Name: "reference", Dir: plugin, Spec: lab.PluginSpec{From: lab.GoSource, Dir: plugin}}
	sr := check.RunScenario(context.Background(), s.Scenarios[0], sub, env)
	if !sr.Passed || sr.Points != 2 {
		t.Fatalf("the reference daytime client: passed %v, %v points, error %q, checks %+v", sr.Passed, sr.Points, sr.Error, sr.Checks)
	}
}
