package loopback

import "testing"

func TestHostAndAddr(t *testing.T) {
	tests := []struct {
		addr  string
		local bool
	}{
		{"127.0.0.1:80", true},
		{"127.8.9.1:80", true},
		{"[::1]:80", true},
		{"localhost:80", true},
		{"LocalHost:80", true},
		{"0.0.0.0:80", false},
		{":80", false},
		{"example.com:80", false},
		{"192.168.1.2:80", false},
		{"[::]:80", false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			got, err := Addr(tt.addr)
			if err != nil || got != tt.local {
				t.Fatalf("Addr(%q) = %v, %v; want %v", tt.addr, got, err, tt.local)
			}
		})
	}
	if _, err := Addr("no-port"); err == nil {
		t.Fatal("Addr without a port succeeded")
	}
}
