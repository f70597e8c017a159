package hugeheap

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// TestHeapStartIsOneHugePage: where the kernel can collapse memory into a
// huge page at all, the initialiser did so for the heap's start.
func TestHeapStartIsOneHugePage(t *testing.T) {
	if madvCollapse != unix.MADV_COLLAPSE {
		t.Fatalf("madvCollapse is %d, MADV_COLLAPSE %d", madvCollapse, unix.MADV_COLLAPSE)
	}
	if err := kernelCollapses(); err != nil {
		t.Skipf("this kernel does not collapse memory into huge pages (%v): nothing to check", err)
	}
	if collapsed != nil {
		t.Fatalf("collapsing the heap's start: %v", collapsed)
	}
	addr := uintptr(unsafe.Pointer(first))
	huge, err := anonHugeKiB(addr)
	if err != nil {
		t.Fatal(err)
	}
	if huge < hugePage>>10 {
		t.Errorf("the mapping holding the heap's start has %d KiB in huge pages, want at least %d", huge, hugePage>>10)
	}
}

// kernelCollapses collapses a fresh mapping of this test's own, which
// tells whether the kernel can do it here.
func kernelCollapses() error {
	m, err := unix.Mmap(-1, 0, 2*hugePage, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return err
	}
	defer unix.Munmap(m)
	offset := -int(uintptr(unsafe.Pointer(&m[0]))) & (hugePage - 1)
	region := m[offset : offset+hugePage]
	region[0] = 1
	return unix.Madvise(region, unix.MADV_COLLAPSE)
}

// anonHugeKiB returns the AnonHugePages of the mapping holding addr, from
// /proc/self/smaps.
func anonHugeKiB(addr uintptr) (int, error) {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	in := false
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) == 0 {
			continue
		}
		if lo, hi, ok := strings.Cut(fields[0], "-"); ok && !strings.HasSuffix(fields[0], ":") {
			start, err1 := strconv.ParseUint(lo, 16, 64)
			end, err2 := strconv.ParseUint(hi, 16, 64)
			in = err1 == nil && err2 == nil && uint64(addr) >= start && uint64(addr) < end
			continue
		}
		if in && fields[0] == "AnonHugePages:" {
			return strconv.Atoi(fields[1])
		}
	}
	if err := s.Err(); err != nil {
		return 0, err
	}
	return 0, nil
}
