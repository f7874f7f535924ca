package media

import (
	"fmt"
	"net"
	"net/netip"
	"syscall"
)

// blockedError says the fetcher refused to connect to an address. It
// names the address, which is not a secret: the host name was public.
type blockedError struct {
	addr   netip.Addr
	reason string
}

func (e *blockedError) Error() string {
	return fmt.Sprintf("address %s is %s", e.addr, e.reason)
}

// special lists ranges that are neither loopback, private, link-local,
// multicast nor unspecified by net/netip's definitions, yet lead to
// infrastructure rather than to a public file server.
var special = []struct {
	prefix netip.Prefix
	reason string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), `"this network"`},
	{netip.MustParsePrefix("100.64.0.0/10"), "shared address space (carrier-grade NAT, cloud metadata)"},
	{netip.MustParsePrefix("192.0.0.0/24"), "reserved for protocol assignments"},
	{netip.MustParsePrefix("198.18.0.0/15"), "reserved for benchmarking"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved"},
	{netip.MustParsePrefix("fec0::/10"), "site-local"},
	// RFC 8215 local-use NAT64: the IPv4 address sits where the network
	// operator's prefix length puts it (RFC 6052 2.2), so it cannot be
	// read back for sure; refused whole.
	{netip.MustParsePrefix("64:ff9b:1::/48"), "local-use NAT64 (embeds an IPv4 address)"},
	// Teredo (RFC 4380) tunnels to IPv4 addresses, the client's obfuscated.
	{netip.MustParsePrefix("2001::/32"), "Teredo (embeds IPv4 addresses)"},
}

// embedsIPv4 lists the IPv6 forms that carry an IPv4 address at a fixed
// place; a connection to one reaches (or is routed through) that IPv4
// address, so the address is judged as that IPv4 address too.
// IPv4-mapped ::ffff:0:0/96 is unwrapped by Unmap before.
var embedsIPv4 = []struct {
	prefix netip.Prefix
	at     int // byte offset of the IPv4 address
	form   string
}{
	{netip.MustParsePrefix("::/96"), 12, "IPv4-compatible"},                // RFC 4291 2.5.5.1, deprecated
	{netip.MustParsePrefix("::ffff:0:0:0/96"), 12, "SIIT IPv4-translated"}, // RFC 2765 2.1
	{netip.MustParsePrefix("64:ff9b::/96"), 12, "NAT64"},                   // RFC 6052 2.1
	{netip.MustParsePrefix("2002::/16"), 2, "6to4"},                        // RFC 3056 2
}

// blocked says why a connection to addr must not be made, or "" when it
// may. Cloud metadata services live at link-local (169.254.169.254,
// fe80::a9fe:a9fe), private (fd00:ec2::254) or shared (100.100.100.200)
// addresses, all refused here, also when an IPv6 form carries them.
func blocked(addr netip.Addr) string {
	addr = addr.Unmap()
	if reason := blockedAs(addr); reason != "" {
		return reason
	}
	for _, e := range embedsIPv4 {
		if e.prefix.Contains(addr) {
			b := addr.As16()
			if reason := blockedAs(netip.AddrFrom4([4]byte(b[e.at : e.at+4]))); reason != "" {
				return reason + ", inside a " + e.form + " IPv6 address"
			}
		}
	}
	return ""
}

// blockedAs judges addr as it is, without looking inside it.
func blockedAs(addr netip.Addr) string {
	switch {
	case !addr.IsValid():
		return "invalid"
	case addr.IsLoopback():
		return "loopback"
	case addr.IsUnspecified():
		return "unspecified"
	case addr.IsPrivate():
		return "private"
	case addr.IsLinkLocalUnicast():
		return "link-local (cloud metadata lives there)"
	case addr.IsMulticast(), addr.IsLinkLocalMulticast(), addr.IsInterfaceLocalMulticast():
		return "multicast"
	case addr == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return "broadcast"
	}
	for _, s := range special {
		if s.prefix.Contains(addr) {
			return s.reason
		}
	}
	return ""
}

// control is a net.Dialer Control function: it runs after name
// resolution, on the address about to be connected to, so it sees through
// DNS rebinding and redirects alike.
func control(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("address %q: %w", address, err)
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("address %q is not an IP address", host)
	}
	if reason := blocked(addr); reason != "" {
		return &blockedError{addr: addr.Unmap(), reason: reason}
	}
	return nil
}
