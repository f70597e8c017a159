package utf8text_test

import (
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/socklab/socklab/internal/prototest"
	"github.com/socklab/socklab/proto/utf8text"
)

// holdsText says whether a message of type md can hold a string.
func holdsText(md protoreflect.MessageDescriptor, seen map[protoreflect.FullName]bool) bool {
	if seen[md.FullName()] {
		return false
	}
	seen[md.FullName()] = true
	for i := 0; i < md.Fields().Len(); i++ {
		fd := md.Fields().Get(i)
		if fd.IsMap() {
			if fd.MapKey().Kind() == protoreflect.StringKind || fd.MapValue().Kind() == protoreflect.StringKind ||
				(fd.MapValue().Message() != nil && holdsText(fd.MapValue().Message(), seen)) {
				return true
			}
			continue
		}
		if fd.Kind() == protoreflect.StringKind || (fd.Message() != nil && holdsText(fd.Message(), seen)) {
			return true
		}
	}
	return false
}

// The repair generated for each message type (protoc-gen-socklab) does
// what the reflective one does: the same strings escaped, the same count.
func TestGeneratedRepairIsReflectiveRepair(t *testing.T) {
	types := prototest.Messages()
	if len(types) < 30 {
		t.Fatalf("only %d message types found", len(types))
	}
	for _, mt := range types {
		md := mt.Descriptor()
		text := holdsText(md, map[protoreflect.FullName]bool{})
		_, generated := mt.New().Interface().(interface{ RepairText() int })
		if generated != text {
			t.Errorf("%s: has RepairText %v, can hold text %v", md.FullName(), generated, text)
			continue
		}
		if !text {
			continue
		}
		for v := range prototest.Variants(md) {
			n := 0
			bad := func() string { n++; return "t\xff" + string(rune('0'+n%10)) + "\xc3" }
			m := mt.New()
			prototest.Fill(m, v, 3, bad)
			want, got := proto.Clone(m.Interface()), m.Interface()
			wantN := utf8text.ReflectiveRepair(want)
			gotN := utf8text.Repair(got)
			if gotN != wantN || !proto.Equal(got, want) {
				t.Errorf("%s, variant %d: generated repair changed %d strings to %v; reflection changed %d to %v", md.FullName(), v, gotN, got, wantN, want)
			}
			if wantN == 0 && md.Oneofs().Len() == 0 {
				t.Errorf("%s, variant %d: nothing to repair; the test proves nothing", md.FullName(), v)
			}
			if _, err := proto.Marshal(got); err != nil {
				t.Errorf("%s, variant %d: after repair: %v", md.FullName(), v, err)
			}
		}
	}
}
