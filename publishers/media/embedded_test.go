package media

import (
	"net/netip"
	"testing"
)

// Every IPv6 form that carries an IPv4 address is judged by that IPv4
// address (or refused whole where the place of the IPv4 address is the
// network's choice): none reaches loopback, link-local (cloud metadata)
// or a private network.
func TestBlockedSeesIPv4InsideIPv6(t *testing.T) {
	targets := []struct {
		name string
		v4   [4]byte
	}{
		{"loopback", [4]byte{127, 0, 0, 1}},
		{"link-local metadata", [4]byte{169, 254, 169, 254}},
		{"private 10/8", [4]byte{10, 0, 0, 1}},
		{"private 192.168/16", [4]byte{192, 168, 1, 1}},
		{"shared 100.64/10", [4]byte{100, 100, 100, 200}},
	}
	forms := []struct {
		name string
		wrap func(v4 [4]byte) netip.Addr
	}{
		{"IPv4-compatible ::/96", func(v [4]byte) netip.Addr { return at(netip.IPv6Unspecified(), 12, v) }},
		{"IPv4-mapped ::ffff:0:0/96", func(v [4]byte) netip.Addr { return at(netip.MustParseAddr("::ffff:0:0"), 12, v) }},
		{"SIIT IPv4-translated ::ffff:0:0:0/96", func(v [4]byte) netip.Addr { return at(netip.MustParseAddr("::ffff:0:0:0"), 12, v) }},
		{"NAT64 well-known 64:ff9b::/96", func(v [4]byte) netip.Addr { return at(netip.MustParseAddr("64:ff9b::"), 12, v) }},
		{"NAT64 local-use 64:ff9b:1::/48 (as /96)", func(v [4]byte) netip.Addr { return at(netip.MustParseAddr("64:ff9b:1::"), 12, v) }},
		{"NAT64 local-use 64:ff9b:1::/48 (as /48)", func(v [4]byte) netip.Addr {
			b := netip.MustParseAddr("64:ff9b:1::").As16()
			b[6], b[7], b[9], b[10] = v[0], v[1], v[2], v[3] // RFC 6052 2.2: skips the u octet
			return netip.AddrFrom16(b)
		}},
		{"6to4 2002::/16", func(v [4]byte) netip.Addr { return at(netip.MustParseAddr("2002::"), 2, v) }},
		{"6to4 2002::/16, host part too", func(v [4]byte) netip.Addr {
			return at(at(netip.MustParseAddr("2002::"), 2, v), 12, v)
		}},
	}
	forms = append(forms, struct {
		name string
		wrap func(v4 [4]byte) netip.Addr
	}{"Teredo 2001::/32", func(v [4]byte) netip.Addr {
		return at(netip.MustParseAddr("2001:0:4136:e378:8000:63bf::"), 12, [4]byte{^v[0], ^v[1], ^v[2], ^v[3]})
	}})
	for _, f := range forms {
		for _, tg := range targets {
			addr := f.wrap(tg.v4)
			if blocked(addr) == "" {
				t.Errorf("%s of %s (%s) is not blocked", f.name, tg.name, addr)
			}
		}
	}
	// Public IPv4 addresses stay reachable through the forms that are
	// unwrapped rather than refused.
	for _, s := range []string{"::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"} {
		if r := blocked(netip.MustParseAddr(s)); r != "" {
			t.Errorf("blocked(%s) = %q, want reachable", s, r)
		}
	}
}

// at returns a with v written at byte offset i.
func at(a netip.Addr, i int, v [4]byte) netip.Addr {
	b := a.As16()
	copy(b[i:i+4], v[:])
	return netip.AddrFrom16(b)
}
