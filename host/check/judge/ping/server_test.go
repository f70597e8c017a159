package ping_test

import (
	"strings"
	"testing"

	"github.com/socklab/socklab/host/check/judge/internal/judgetest"
	pinger "github.com/socklab/socklab/host/check/judge/ping"
	"github.com/socklab/socklab/host/link"
)

const pingServerLab = `
  ping_server "student" {
    listen    = "127.0.0.1:0"
    drop_rate = 0.25
  }
  ping_client "reference" {
    server = ping_server.student.address
  }
`

func TestPingServerChecks(t *testing.T) {
	tests := []struct {
		name           string
		pings, dropped int
		echo           func(string) string
		check          string
		wants          []string
	}{
		{"upper-cased", 4, 1, strings.ToUpper, "echo_upper", nil},
		{"not upper-cased", 4, 0, func(s string) string { return s }, "echo_upper", []string{`the reply "Ping 1 1764147583.000" to "Ping 1 1764147583.000" is not the ping upper-cased ("PING 1 1764147583.000")`}},
		{"no answer", 4, 4, strings.ToUpper, "echo_upper", []string{"the server answered none of the 4 pings it received"}},
		{"a quarter dropped", 400, 100, strings.ToUpper, "drop_rate", nil},
		{"none dropped", 400, 0, strings.ToUpper, "drop_rate", []string{"the server left 0 of 400 pings unanswered (0.0%); with drop_rate 0.25 that should be from"}},
		{"all dropped", 400, 400, strings.ToUpper, "drop_rate", []string{"the server left 400 of 400 pings unanswered (100.0%)"}},
		{"too few to tell", 20, 5, strings.ToUpper, "drop_rate", []string{"ERROR only 20 pings reached the server"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := judgetest.New(t, pinger.Server(), pingServerLab, false)
			for i := 1; i <= tt.pings; i++ {
				f.Link("reference", link.ToServer, i, link.Delivered, ping(i, 0))
				if i > tt.dropped {
					f.Link("reference", link.ToClient, i, link.Delivered, tt.echo(ping(i, 0)))
				}
			}
			judgetest.Want(t, tt.check, f.Judge(tt.check, nil), tt.wants...)
		})
	}
}
