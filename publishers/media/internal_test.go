package media

import (
	"net/netip"
	"testing"
)

func TestBlocked(t *testing.T) {
	tests := []struct {
		addr    string
		blocked bool
	}{
		{"127.0.0.1", true},
		{"127.9.9.9", true},
		{"::1", true},
		{"10.1.2.3", true},
		{"172.16.0.1", true},
		{"192.168.1.1", true},
		{"169.254.169.254", true}, // AWS, GCP, Azure metadata
		{"fe80::a9fe:a9fe", true},
		{"fd00:ec2::254", true}, // AWS IPv6 metadata
		{"100.100.100.200", true},
		{"0.0.0.0", true},
		{"::", true},
		{"224.0.0.1", true},
		{"ff02::1", true},
		{"255.255.255.255", true},
		{"::ffff:127.0.0.1", true}, // IPv4-mapped
		{"::ffff:10.0.0.1", true},
		{"64:ff9b::7f00:1", true}, // NAT64 of 127.0.0.1
		{"198.18.0.1", true},
		{"240.0.0.1", true},
		{"8.8.8.8", false},
		{"142.250.74.46", false},
		{"2607:f8b0:4004:800::200e", false},
		{"64:ff9b::808:808", false}, // NAT64 of 8.8.8.8
	}
	for _, tt := range tests {
		if got := blocked(netip.MustParseAddr(tt.addr)) != ""; got != tt.blocked {
			t.Errorf("blocked(%s) = %v, want %v", tt.addr, got, tt.blocked)
		}
	}
}

func TestParseContentRange(t *testing.T) {
	tests := []struct {
		in                 string
		first, last, total int64
		ok                 bool
	}{
		{"bytes 0-99/100", 0, 99, 100, true},
		{"bytes 100-199/*", 100, 199, -1, true},
		{" bytes 5-5/6 ", 5, 5, 6, true},
		{"bytes 0-99/99", 0, 0, 0, false},
		{"bytes 10-5/100", 0, 0, 0, false},
		{"bytes */100", 0, 0, 0, false},
		{"bytes -1-5/10", 0, 0, 0, false},
		{"bytes +1-5/10", 0, 0, 0, false},
		{"items 0-1/2", 0, 0, 0, false},
		{"bytes 0-1", 0, 0, 0, false},
		{"bytes 0-99999999999999999999/1", 0, 0, 0, false},
		{"", 0, 0, 0, false},
	}
	for _, tt := range tests {
		first, last, total, ok := parseContentRange(tt.in)
		if ok != tt.ok || ok && (first != tt.first || last != tt.last || total != tt.total) {
			t.Errorf("parseContentRange(%q) = %d, %d, %d, %v", tt.in, first, last, total, ok)
		}
	}
}

func FuzzParseContentRange(f *testing.F) {
	for _, s := range []string{"bytes 0-99/100", "bytes 1-2/*", "bytes */5", "", "bytes 9-1/0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		first, last, total, ok := parseContentRange(s)
		if !ok {
			return
		}
		if first < 0 || last < first || total != -1 && total <= last {
			t.Errorf("parseContentRange(%q) = %d, %d, %d: inconsistent", s, first, last, total)
		}
	})
}

func FuzzBlocked(f *testing.F) {
	f.Add([]byte{127, 0, 0, 1})
	f.Add(make([]byte, 16))
	f.Fuzz(func(t *testing.T, b []byte) {
		addr, ok := netip.AddrFromSlice(b)
		if !ok {
			return
		}
		// An IPv4 address and its mapped IPv6 form get the same answer.
		if addr.Is4() {
			if (blocked(addr) == "") != (blocked(netip.AddrFrom16(addr.As16())) == "") {
				t.Errorf("%s and its mapped form disagree", addr)
			}
		}
	})
}
