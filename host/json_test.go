package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// TestJSONOutputShape: every line `socklab run --json` writes for a lab
// with a lossy link has snake_case keys, numbers as JSON numbers, and
// durations in seconds under keys ending in _s (docs/json.md).
func TestJSONOutputShape(t *testing.T) {
	r := runHost(t, pingLab("", `link {
    loss  = 0.3
    delay = "1ms"
  }`, 8), "--seed", "11", "-v")
	if r.exit != 0 {
		t.Fatalf("exit %d\n%s", r.exit, r.stderr)
	}
	snake := regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)
	kinds := map[string]bool{}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, item := range v {
				if !snake.MatchString(k) && !strings.HasSuffix(path, "by_status") {
					t.Errorf("%s.%s: key not snake_case", path, k)
				}
				walk(path+"."+k, item)
			}
		case []any:
			for _, item := range v {
				walk(path+"[]", item)
			}
		case string:
			if strings.HasSuffix(path, "_s") || strings.HasSuffix(path, ".seq") || strings.HasSuffix(path, ".received") {
				t.Errorf("%s = %q, want a number", path, v)
			}
		}
	}
	for _, l := range r.lines {
		kind, _ := l["kind"].(string)
		component, _ := l["component"].(string)
		kinds[kind] = true
		walk(strings.TrimSpace(component+" "+kind), l)
	}
	for _, k := range []string{"sent", "reply", "timeout", "echo", "drop", "summary", "link", "result"} {
		if !kinds[k] {
			t.Errorf("no %s line: the test would not see its keys", k)
		}
	}
	res := r.lines[len(r.lines)-1]
	if _, ok := res["elapsed_s"].(float64); !ok {
		t.Errorf("result line %v: no elapsed_s in seconds", res)
	}
	raw, _ := json.Marshal(r.result(t, "client")["link"])
	if !strings.Contains(string(raw), `"to_server":{`) {
		t.Errorf("link summary %s", raw)
	}
}
