package output

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// Buffered collects writes to w and passes them on every interval and on
// Flush, so that a lab emitting thousands of events a second costs one
// write to the terminal per interval rather than one per line.
type Buffered struct {
	mu   sync.Mutex
	w    *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

// NewBuffered starts flushing to w every interval; Close flushes and stops.
func NewBuffered(w io.Writer, interval time.Duration) *Buffered {
	b := &Buffered{w: bufio.NewWriterSize(w, 64<<10), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(b.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				b.Flush()
			case <-b.stop:
				return
			}
		}
	}()
	return b
}

// Write buffers p; it is safe to call from many goroutines.
func (b *Buffered) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.Write(p)
}

// Flush writes out what is buffered.
func (b *Buffered) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.Flush()
}

// Close stops the periodic flushing and flushes.
func (b *Buffered) Close() error {
	close(b.stop)
	<-b.done
	return b.Flush()
}
