package output

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/netip"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/socklab/socklab/host/lab"
	"github.com/socklab/socklab/host/labs"
	"github.com/socklab/socklab/host/link"
	"github.com/socklab/socklab/host/run"
	"github.com/socklab/socklab/proto/roles"
)

var update = flag.Bool("update", false, "rewrite docs/json.md's event tables")

const (
	jsonDoc    = "../../docs/json.md"
	tablesFrom = "<!-- event tables: go test ./host/output -run TestJSONDocument -update -->\n"
	tablesTo   = "<!-- end of event tables -->\n"
)

// TestJSONDocument: docs/json.md's event tables are those of the roles'
// descriptors.
func TestJSONDocument(t *testing.T) {
	doc, err := os.ReadFile(jsonDoc)
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok1 := strings.Cut(string(doc), tablesFrom)
	tables, after, ok2 := strings.Cut(rest, tablesTo)
	if !ok1 || !ok2 {
		t.Fatalf("%s lacks the markers of its event tables", jsonDoc)
	}
	want := JSONDocument(labs.Builtin().Roles())
	if *update {
		if err := os.WriteFile(jsonDoc, []byte(before+tablesFrom+want+tablesTo+after), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if tables != want {
		t.Errorf("%s is out of date: go test ./host/output -run TestJSONDocument -update", jsonDoc)
	}
}

// documented reads docs/json.md's tables: for each "role kind", its keys
// and their types.
func documented(t *testing.T) map[string]map[string]string {
	t.Helper()
	doc, err := os.ReadFile(jsonDoc)
	if err != nil {
		t.Fatal(err)
	}
	heading := regexp.MustCompile("^#### (\\w+) `(\\w+)`$")
	row := regexp.MustCompile("^\\| `([^`]+)` \\| (.*) \\|$")
	tables := map[string]map[string]string{}
	var cur map[string]string
	for _, line := range strings.Split(string(doc), "\n") {
		if m := heading.FindStringSubmatch(line); m != nil {
			cur = map[string]string{}
			tables[m[1]+" "+m[2]] = cur
		} else if m := row.FindStringSubmatch(line); m != nil && cur != nil {
			cur[m[1]] = m[2]
		}
	}
	return tables
}

var snake = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// TestJSONEveryEventKind: the event object of every kind of every role,
// every field set, has snake_case keys, each in the document's table of
// its kind, numbers where the table says number, and reads back to the
// same message.
func TestJSONEveryEventKind(t *testing.T) {
	tables := documented(t)
	for _, r := range labs.Builtin().Roles().All() {
		for _, kind := range r.EventKinds() {
			t.Run(r.Name+"/"+kind, func(t *testing.T) {
				table := tables[r.Name+" "+kind]
				if table == nil {
					t.Fatalf("docs/json.md has no table for %s %s", r.Name, kind)
				}
				for _, notUTF8 := range []bool{false, true} {
					msg := eventBody(r, kind)
					fill(msg.ProtoReflect(), notUTF8)
					raw := jsonMessage(msg)
					var obj map[string]any
					d := json.NewDecoder(bytes.NewReader(raw))
					d.UseNumber()
					if err := d.Decode(&obj); err != nil {
						t.Fatal(err)
					}
					walkJSON(t, obj, "", table)
					back := eventBody(r, kind)
					if err := DecodeJSON(raw, back); err != nil {
						t.Fatalf("%s: %v", raw, err)
					}
					if !proto.Equal(msg, back) {
						t.Errorf("read back as %v\nwrote %v\nas %s", back, msg, raw)
					}
				}
			})
		}
	}
}

func walkJSON(t *testing.T, v any, path string, table map[string]string) {
	t.Helper()
	switch v := v.(type) {
	case map[string]any:
		for k, item := range v {
			if !snake.MatchString(k) {
				t.Errorf("key %q is not snake_case", k)
			}
			p := strings.TrimPrefix(path+"."+k, ".")
			typ, ok := table[p]
			if !ok {
				t.Errorf("key %s is not in the document", p)
				continue
			}
			if strings.HasPrefix(typ, "object: key") { // a map: its keys are data
				for _, e := range item.(map[string]any) {
					checkValue(t, e, p+".*", table)
				}
				continue
			}
			checkValue(t, item, p, table)
		}
	case []any:
		for _, item := range v {
			checkValue(t, item, path+"[]", table)
		}
	}
}

// checkValue checks one value against its documented type, and what it holds.
func checkValue(t *testing.T, v any, path string, table map[string]string) {
	t.Helper()
	typ, ok := table[path]
	if !ok {
		t.Errorf("%s is not in the document", path)
		return
	}
	if _, isNum := v.(json.Number); strings.HasPrefix(typ, "number") != isNum {
		t.Errorf("%s = %#v, documented as %s", path, v, typ)
	}
	walkJSON(t, v, path, table)
}

// eventBody is an empty message of one kind of a role's events.
func eventBody(r roles.Role, kind string) proto.Message {
	ev := r.NewEvent().ProtoReflect()
	fd := ev.Descriptor().Fields().ByName(protoreflect.Name(kind))
	return ev.NewField(fd).Message().Interface()
}

// fill sets every field of m, bytes that are not UTF-8 if notUTF8.
func fill(m protoreflect.Message, notUTF8 bool) {
	fields := m.Descriptor().Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		switch {
		case fd.IsList():
			m.Mutable(fd).List().Append(sample(fd, m.Mutable(fd).List().NewElement, notUTF8))
		case fd.IsMap():
			mp := m.Mutable(fd).Map()
			mp.Set(sample(fd.MapKey(), nil, notUTF8).MapKey(), sample(fd.MapValue(), mp.NewValue, notUTF8))
		default:
			m.Set(fd, sample(fd, func() protoreflect.Value { return m.NewField(fd) }, notUTF8))
		}
	}
}

func sample(fd protoreflect.FieldDescriptor, newMsg func() protoreflect.Value, notUTF8 bool) protoreflect.Value {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(true)
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		return protoreflect.ValueOfInt32(-7)
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return protoreflect.ValueOfInt64(1 << 40)
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return protoreflect.ValueOfUint32(404)
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return protoreflect.ValueOfUint64(1<<53 - 1)
	case protoreflect.FloatKind:
		return protoreflect.ValueOfFloat32(0.5)
	case protoreflect.DoubleKind:
		return protoreflect.ValueOfFloat64(33.25)
	case protoreflect.StringKind:
		return protoreflect.ValueOfString("127.0.0.1:12000")
	case protoreflect.BytesKind:
		if notUTF8 {
			return protoreflect.ValueOfBytes([]byte("Ping \xff\x00 1"))
		}
		return protoreflect.ValueOfBytes([]byte("Ping 1 1764147583.123456"))
	case protoreflect.EnumKind:
		vals := fd.Enum().Values()
		return protoreflect.ValueOfEnum(vals.Get(vals.Len() - 1).Number())
	}
	switch fd.Message().FullName() {
	case "google.protobuf.Timestamp":
		return protoreflect.ValueOfMessage(timestamppb.New(time.Date(2026, 12, 6, 20, 0, 0, 123456789, time.UTC)).ProtoReflect())
	case "google.protobuf.Duration":
		return protoreflect.ValueOfMessage(durationpb.New(1234567 * time.Nanosecond).ProtoReflect())
	}
	v := newMsg()
	fill(v.Message(), notUTF8)
	return v
}

// TestJSONLines: the link event and the result line have snake_case keys,
// numbers as numbers, durations in seconds, and payloads that say how
// they are written.
func TestJSONLines(t *testing.T) {
	role := labs.PingClient().Role
	c := &lab.Component{Name: "client", Role: role}
	var b strings.Builder
	log := NewLogger(&b, JSON, false, zerolog.DebugLevel)
	ap := netip.MustParseAddrPort("127.0.0.1:5")
	Observer(log, JSON)(run.Event{Component: c, Source: run.FromLink, Time: time.Now(), Kind: "link", Link: &link.Event{
		Proto: "udp", Dir: link.ToServer, Seq: 3, Size: 6, Fate: link.Dropped | link.Delayed, Delay: 1500 * time.Microsecond,
		Client: ap, Front: ap, Upstream: ap, Server: ap, Payload: []byte("Ping \xff"),
	}})
	ReportJSON(log, &run.Result{Elapsed: 2 * time.Second, Components: []*run.ComponentResult{{
		Component: c, Events: 3, Link: &link.Summary{Link: "client", Proto: "udp", ToServer: link.DirSummary{Packets: 1}},
	}}})
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines:\n%s", len(lines), b.String())
	}
	var ev, res map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &ev); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(lines[1]), &res); err != nil {
		t.Fatal(err)
	}
	l := ev["link"].(map[string]any)
	if l["delay_s"] != 0.0015 || l["seq"] != 3.0 || l["payload"] != "Ping \uFFFD" || l["payload_base64"] != "UGluZyD/" {
		t.Errorf("link event %s", lines[0])
	}
	comp := res["components"].([]any)[0].(map[string]any)
	if res["elapsed_s"] != 2.0 || comp["status"] != "ok" || comp["link"].(map[string]any)["to_server"].(map[string]any)["packets"] != 1.0 {
		t.Errorf("result %s", lines[1])
	}
	doc, err := os.ReadFile(jsonDoc)
	if err != nil {
		t.Fatal(err)
	}
	var check func(v any)
	check = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, item := range v {
				if !snake.MatchString(k) {
					t.Errorf("key %q is not snake_case", k)
				}
				if !strings.Contains(string(doc), "`"+k+"`") {
					t.Errorf("key %q is not in docs/json.md", k)
				}
				check(item)
			}
		case []any:
			for _, item := range v {
				check(item)
			}
		}
	}
	check(ev)
	check(res)
}
