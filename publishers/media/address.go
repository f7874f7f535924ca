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
}

// nat64 is the well-known NAT64 prefix: its addresses embed an IPv4
// address, which is what gets reached.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// blocked says why a connection to addr must not be made, or "" when it
// may. Cloud metadata services live at link-local (169.254.169.254,
// fe80::a9fe:a9fe), private (fd00:ec2::254) or shared (100.100.100.200)
// addresses, all refused here.
func blocked(addr netip.Addr) string {
	addr = addr.Unmap()
	if nat64.Contains(addr) {
		b := addr.As16()
		addr = netip.AddrFrom4([4]byte(b[12:16]))
	}
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
