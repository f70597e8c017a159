package goplugin

import (
	"reflect"
	"testing"
)

func TestEarlyValue(t *testing.T) {
	for _, settings := range []map[string][]byte{
		{},
		{"ping_server": {}},
		{"ping_server": []byte("\x0a\x0b127.0.0.1:0"), "web_server": []byte{0xff, 0x00, ',', '='}},
	} {
		got, err := Early(EarlyValue(settings))
		if err != nil {
			t.Errorf("%v: %v", settings, err)
			continue
		}
		if len(settings) == 0 && len(got) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, settings) {
			t.Errorf("Early(EarlyValue(%q)) = %q", settings, got)
		}
	}
}

func TestEarlyRefusesMalformedValues(t *testing.T) {
	for _, value := range []string{"ping_server", "=AAAA", "ping_server=!!", "a=AA,b"} {
		if got, err := Early(value); err == nil {
			t.Errorf("Early(%q) = %q, want an error", value, got)
		}
	}
}
