package launch

import (
	"os"
	"sync"
	"testing"
)

// TestSocketDirsOfConcurrentRuns checks that runs starting at once (a
// grader's scenarios) never take each other's live directory for a killed
// run's: each sweeps the others' while they make theirs.
func TestSocketDirsOfConcurrentRuns(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	for round := 0; round < 20; round++ {
		var wg sync.WaitGroup
		dirs := make([]*SocketDir, 16)
		for i := range dirs {
			wg.Go(func() {
				d, err := NewSocketDir()
				if err != nil {
					t.Error(err)
				}
				dirs[i] = d
				RemoveStaleSocketDirs()
			})
		}
		wg.Wait()
		for _, d := range dirs {
			if d == nil {
				continue
			}
			if _, err := os.Stat(d.Path); err != nil {
				t.Fatalf("round %d: a live run's directory was removed: %v", round, err)
			}
		}
		for _, d := range dirs {
			d.Remove()
		}
	}
}
