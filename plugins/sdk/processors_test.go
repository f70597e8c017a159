package sdk

import (
	"runtime"
	"testing"
	"time"
)

// TestUseEveryProcessorAfter: a plugin the host started with GOMAXPROCS=1
// gets the runtime's own choice back, not the environment's.
func TestUseEveryProcessorAfter(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	t.Cleanup(func() { runtime.GOMAXPROCS(before) })
	runtime.SetDefaultGOMAXPROCS()
	want := runtime.GOMAXPROCS(0)
	if want == 1 {
		t.Skip("the runtime chooses one processor here: nothing to give back")
	}
	runtime.GOMAXPROCS(1)
	useEveryProcessorAfter(time.Millisecond)
	deadline := time.Now().Add(10 * time.Second)
	for runtime.GOMAXPROCS(0) == 1 {
		if time.Now().After(deadline) {
			t.Fatalf("still on one processor 10 s later, want %d", want)
		}
		time.Sleep(time.Millisecond)
	}
	if got := runtime.GOMAXPROCS(0); got != want {
		t.Errorf("GOMAXPROCS %d, want %d", got, want)
	}
}
