package output

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/socklab/socklab/host/link"
	"github.com/socklab/socklab/host/run"
)

// The JSON of --json (docs/json.md): the .proto field names, which are
// snake_case; every number a JSON number, 64-bit ones included (protojson
// would quote them); a duration in seconds under its name plus "_s"; a
// time as RFC 3339 text; bytes as text, plus the exact bytes in base64
// under the name plus "_base64" when they are not UTF-8.

// jsonMessage renders m as a JSON object.
func jsonMessage(m proto.Message) json.RawMessage {
	b, err := json.Marshal(messageValue(m.ProtoReflect()))
	if err != nil { // only NaN could, and messageValue leaves none
		return json.RawMessage(`{}`)
	}
	return b
}

func messageValue(m protoreflect.Message) map[string]any {
	obj := map[string]any{}
	fields := m.Descriptor().Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		if !m.Has(fd) && !showZero(fd) {
			continue
		}
		name := string(fd.Name())
		v := m.Get(fd)
		switch {
		case fd.IsList():
			list := v.List()
			items := make([]any, list.Len())
			for j := range items {
				items[j] = scalarValue(fd, list.Get(j))
			}
			obj[name] = items
		case fd.IsMap():
			entries := map[string]any{}
			v.Map().Range(func(k protoreflect.MapKey, e protoreflect.Value) bool {
				entries[k.String()] = scalarValue(fd.MapValue(), e)
				return true
			})
			obj[name] = entries
		case fd.Kind() == protoreflect.BytesKind:
			addBytes(obj, name, v.Bytes())
		case isDuration(fd):
			obj[name+"_s"] = v.Message().Interface().(*durationpb.Duration).AsDuration().Seconds()
		default:
			obj[name] = scalarValue(fd, v)
		}
	}
	return obj
}

// showZero: a scalar outside a oneof is shown even when zero, so that "0
// received" is a field, not an absence; messages only when set.
func showZero(fd protoreflect.FieldDescriptor) bool {
	return fd.ContainingOneof() == nil && !fd.HasPresence() && !fd.IsList() && !fd.IsMap()
}

func isDuration(fd protoreflect.FieldDescriptor) bool {
	return fd.Kind() == protoreflect.MessageKind && fd.Message().FullName() == "google.protobuf.Duration"
}

// addBytes sets name to b as text and, when b is not UTF-8, name_base64 to
// its exact bytes.
func addBytes(obj map[string]any, name string, b []byte) {
	obj[name] = strings.ToValidUTF8(string(b), "\uFFFD")
	if !utf8.Valid(b) {
		obj[name+"_base64"] = base64.StdEncoding.EncodeToString(b)
	}
}

func scalarValue(fd protoreflect.FieldDescriptor, v protoreflect.Value) any {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return v.Bool()
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind,
		protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return v.Int()
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return v.Uint()
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil
		}
		return f
	case protoreflect.StringKind:
		return v.String()
	case protoreflect.BytesKind:
		return strings.ToValidUTF8(string(v.Bytes()), "\uFFFD")
	case protoreflect.EnumKind:
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			return string(ev.Name())
		}
		return int64(v.Enum())
	case protoreflect.MessageKind, protoreflect.GroupKind:
		switch msg := v.Message().Interface().(type) {
		case *timestamppb.Timestamp:
			return msg.AsTime().Format(time.RFC3339Nano)
		case *durationpb.Duration: // in a list or map: seconds, the unit in the list's doc
			return msg.AsDuration().Seconds()
		}
		return messageValue(v.Message())
	}
	return v.Interface()
}

// linkEventJSON is one link event's "link" object.
func linkEventJSON(l *link.Event) json.RawMessage {
	obj := map[string]any{
		"proto": l.Proto, "dir": l.Dir.String(), "flow": l.Flow, "seq": l.Seq, "size": l.Size,
		"fate": l.Fate.String(), "delay_s": l.Delay.Seconds(),
		"client": l.Client.String(), "front": l.Front.String(), "upstream": l.Upstream.String(), "server": l.Server.String(),
	}
	addBytes(obj, "payload", l.Payload)
	b, _ := json.Marshal(obj)
	return b
}

// linkSummaryJSON is a client's link in the result line.
func linkSummaryJSON(s *link.Summary) map[string]any {
	dir := func(d link.DirSummary) map[string]any {
		return map[string]any{
			"packets": d.Packets, "bytes": d.Bytes, "delivered": d.Delivered, "delivered_bytes": d.DeliveredBytes,
			"dropped": d.Dropped, "duplicated": d.Duplicated, "delayed": d.Delayed, "reordered": d.Reordered, "resets": d.Resets,
		}
	}
	return map[string]any{"link": s.Link, "proto": s.Proto, "flows": s.Flows,
		"to_server": dir(s.ToServer), "to_client": dir(s.ToClient), "events_lost": s.EventsLost}
}

// jsonStatus is a status as a JSON value: "ok", "failed", "not_run".
func jsonStatus(s run.Status) string { return strings.ReplaceAll(s.String(), " ", "_") }

// DecodeJSON reads into m what jsonMessage wrote of such a message: the
// inverse of --json's event and summary objects, for Go programs (and
// tests) that read them back. Unknown keys are errors.
func DecodeJSON(b []byte, m proto.Message) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var obj map[string]any
	if err := d.Decode(&obj); err != nil {
		return err
	}
	return decodeMessage(obj, m.ProtoReflect())
}

func decodeMessage(obj map[string]any, m protoreflect.Message) error {
	fields := m.Descriptor().Fields()
	for key, v := range obj {
		name, suffix := key, ""
		fd := fields.ByName(protoreflect.Name(key))
		for _, s := range []string{"_base64", "_s"} {
			if fd == nil && strings.HasSuffix(key, s) {
				name, suffix = strings.TrimSuffix(key, s), s
				fd = fields.ByName(protoreflect.Name(name))
			}
		}
		if fd == nil {
			return fmt.Errorf("%s has no field %q", m.Descriptor().FullName(), key)
		}
		switch {
		case suffix == "_base64":
			raw, err := base64.StdEncoding.DecodeString(fmt.Sprint(v))
			if err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			m.Set(fd, protoreflect.ValueOfBytes(raw))
		case fd.Kind() == protoreflect.BytesKind && !fd.IsList():
			if _, exact := obj[name+"_base64"]; !exact {
				m.Set(fd, protoreflect.ValueOfBytes([]byte(fmt.Sprint(v))))
			}
		case fd.IsList():
			items, ok := v.([]any)
			if !ok {
				return fmt.Errorf("%s: want a list", key)
			}
			list := m.Mutable(fd).List()
			for _, item := range items {
				val, err := decodeScalar(fd, item, list.NewElement)
				if err != nil {
					return fmt.Errorf("%s: %w", key, err)
				}
				list.Append(val)
			}
		case fd.IsMap():
			entries, ok := v.(map[string]any)
			if !ok {
				return fmt.Errorf("%s: want an object", key)
			}
			mp := m.Mutable(fd).Map()
			for k, item := range entries {
				kv, err := decodeScalar(fd.MapKey(), json.Number(k), nil)
				if fd.MapKey().Kind() == protoreflect.StringKind {
					kv, err = protoreflect.ValueOfString(k), nil
				}
				if err != nil {
					return fmt.Errorf("%s key %q: %w", key, k, err)
				}
				val, err := decodeScalar(fd.MapValue(), item, mp.NewValue)
				if err != nil {
					return fmt.Errorf("%s: %w", key, err)
				}
				mp.Set(kv.MapKey(), val)
			}
		default:
			val, err := decodeScalar(fd, v, func() protoreflect.Value { return m.NewField(fd) })
			if err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			m.Set(fd, val)
		}
	}
	return nil
}

// decodeScalar turns one JSON value into a field's value; newMsg makes the
// message of a message field.
func decodeScalar(fd protoreflect.FieldDescriptor, v any, newMsg func() protoreflect.Value) (protoreflect.Value, error) {
	num := func() (json.Number, error) {
		n, ok := v.(json.Number)
		if !ok {
			return "", fmt.Errorf("want a number, got %v", v)
		}
		return n, nil
	}
	switch fd.Kind() {
	case protoreflect.BoolKind:
		b, ok := v.(bool)
		if !ok {
			return protoreflect.Value{}, fmt.Errorf("want true or false, got %v", v)
		}
		return protoreflect.ValueOfBool(b), nil
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind:
		n, err := num()
		i, err2 := strconv.ParseInt(string(n), 10, 32)
		return protoreflect.ValueOfInt32(int32(i)), errors.Join(err, err2)
	case protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		n, err := num()
		i, err2 := strconv.ParseInt(string(n), 10, 64)
		return protoreflect.ValueOfInt64(i), errors.Join(err, err2)
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		n, err := num()
		i, err2 := strconv.ParseUint(string(n), 10, 32)
		return protoreflect.ValueOfUint32(uint32(i)), errors.Join(err, err2)
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		n, err := num()
		i, err2 := strconv.ParseUint(string(n), 10, 64)
		return protoreflect.ValueOfUint64(i), errors.Join(err, err2)
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		if v == nil {
			return protoreflect.ValueOfFloat64(math.NaN()), nil
		}
		n, err := num()
		f, err2 := strconv.ParseFloat(string(n), 64)
		if fd.Kind() == protoreflect.FloatKind {
			return protoreflect.ValueOfFloat32(float32(f)), errors.Join(err, err2)
		}
		return protoreflect.ValueOfFloat64(f), errors.Join(err, err2)
	case protoreflect.StringKind:
		return protoreflect.ValueOfString(fmt.Sprint(v)), nil
	case protoreflect.BytesKind:
		return protoreflect.ValueOfBytes([]byte(fmt.Sprint(v))), nil
	case protoreflect.EnumKind:
		ev := fd.Enum().Values().ByName(protoreflect.Name(fmt.Sprint(v)))
		if ev == nil {
			return protoreflect.Value{}, fmt.Errorf("no value %v of %s", v, fd.Enum().FullName())
		}
		return protoreflect.ValueOfEnum(ev.Number()), nil
	}
	switch fd.Message().FullName() {
	case "google.protobuf.Timestamp":
		t, err := time.Parse(time.RFC3339Nano, fmt.Sprint(v))
		return protoreflect.ValueOfMessage(timestamppb.New(t).ProtoReflect()), err
	case "google.protobuf.Duration":
		n, err := num()
		f, err2 := strconv.ParseFloat(string(n), 64)
		d := time.Duration(math.Round(f * float64(time.Second)))
		return protoreflect.ValueOfMessage(durationpb.New(d).ProtoReflect()), errors.Join(err, err2)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return protoreflect.Value{}, fmt.Errorf("want an object, got %v", v)
	}
	val := newMsg()
	return val, decodeMessage(obj, val.Message())
}
