package atlassian

import (
	"testing"
	"time"
)

func TestNewTransportBoundsEveryPhase(t *testing.T) {
	for _, tc := range []struct {
		call, wantHeader time.Duration
	}{
		{0, ResponseHeaderTimeout},
		{10 * time.Second, ResponseHeaderTimeout},
		{5 * time.Minute, 5 * time.Minute}, // a longer call deadline is not cut short
	} {
		tr := NewTransport(tc.call)
		if tr.ResponseHeaderTimeout != tc.wantHeader {
			t.Errorf("call timeout %s: response header timeout %s, want %s", tc.call, tr.ResponseHeaderTimeout, tc.wantHeader)
		}
		if tr.TLSHandshakeTimeout != TLSHandshakeTimeout || tr.DialContext == nil || tr.Proxy == nil || tr.MaxIdleConnsPerHost < 64 {
			t.Errorf("transport lacks its bounds: %+v", tr)
		}
	}
}
