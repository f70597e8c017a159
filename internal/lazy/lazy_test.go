package lazy

import (
	"testing"
)

func TestRegexp(t *testing.T) {
	calls := 0
	re := Regexp(`^ping (\d+)$`)
	for range 3 {
		calls++
		if m := re().FindStringSubmatch("ping 42"); len(m) != 2 || m[1] != "42" {
			t.Fatalf("call %d: got %q, want the seq 42", calls, m)
		}
	}
	first := re()
	if again := re(); again != first {
		t.Error("Regexp compiled its expression again")
	}
}

func TestRegexpPanicsAtFirstUse(t *testing.T) {
	re := Regexp(`(unclosed`)
	defer func() {
		if recover() == nil {
			t.Error("an invalid expression did not panic at its first use")
		}
	}()
	re()
}
