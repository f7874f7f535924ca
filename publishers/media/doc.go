// Package media opens the media of posts (pictures, videos) for the
// publishers that upload them, safely and as streams.
//
// Post media come from product apps as URLs, and Herald fetches them from
// inside the operator's network: an unchecked fetch would let anyone who
// can schedule a post read internal services or a cloud metadata endpoint
// (server-side request forgery). A Fetcher therefore refuses to connect to
// loopback, private, link-local, unspecified, multicast, shared (CGNAT)
// and other reserved addresses unless Options.AllowPrivate is set (tests
// and demos). IPv6 addresses that carry an IPv4 address (IPv4-mapped and
// -compatible, SIIT, NAT64 64:ff9b::/96, 6to4) are judged by that IPv4
// address as well; local-use NAT64 (64:ff9b:1::/48) and Teredo, whose
// IPv4 address cannot be read back for sure, are refused whole. The check runs in net.Dialer.Control, on the address about
// to be connected to after name resolution: a host name that resolves to
// 127.0.0.1, DNS rebinding between two lookups, and a redirect to an
// internal address are all caught the same way. Redirects are followed up
// to MaxRedirects, to http and https URLs only. Proxies are not used when
// the check is on, since the check would then see the proxy's address.
//
// Files are never buffered: Open returns the answer's body as a stream
// with its size (the Content-Length, or -1) and content type, and the
// publisher copies it straight into its upload, so memory stays flat
// whether the video is 10 MB or 2 GB. OpenAt resumes from an offset with a
// Range request (or by skipping bytes when the server ignores ranges), for
// uploads that resume after a crash.
//
// Failures carry their class (package publishers): a refused address, a
// bad scheme, 404 or 410, a file over Options.MaxBytes (by Content-Length,
// or while reading when there is none) and a content type not accepted for
// the kind are Permanent; network errors, 408, 429 and 5xx are Transient.
// Error texts name the URL's host and never its path or query, which often
// hold signatures.
//
//	f, err := media.New(media.Options{MaxBytes: 2 << 30})
//	file, err := f.Open(ctx, "https://cdn.example.com/launch.mp4", publishers.MediaVideo)
//	if err != nil {
//		return err // classified
//	}
//	defer file.Close()
//	// file.Size, file.ContentType; io.Copy(upload, file)
package media
